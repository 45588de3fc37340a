// The knowledge base API (docs/knowledge.md, "Knowledge base"): categories,
// sections, articles with translations, versions and diffs, the Markdown
// preview and the help center settings.
import { api } from './client'

export type KbLanguage = 'he' | 'en'
export type KbStatus = 'draft' | 'published'
export type KbVisibility = 'public' | 'internal'

export interface KbCategory {
  id: number
  slug: string
  name_he: string
  name_en: string
  description_he: string
  description_en: string
  position: number
  created_at: string
  updated_at: string
}

export interface KbSection extends KbCategory {
  category_id: number
}

export interface KbGroupInput {
  slug?: string | null
  name_he?: string | null
  name_en?: string | null
  description_he?: string | null
  description_en?: string | null
  position?: number | null
  category_id?: number | null
}

export interface KbTranslation {
  id: number
  language: KbLanguage
  slug: string
  title: string
  status: KbStatus
  visibility: KbVisibility
}

export interface KbArticle {
  id: number
  translation_id: number
  language: KbLanguage
  section_id: number | null
  slug: string
  title: string
  body_markdown: string
  body_html: string
  status: KbStatus
  visibility: KbVisibility
  version: number
  views: number
  helpful_yes: number
  helpful_no: number
  author_id: number | null
  published_at: string | null
  created_at: string
  updated_at: string
  translations: KbTranslation[]
}

export interface KbArticleInput {
  language: KbLanguage
  section_id: number | null
  slug?: string
  title: string
  body_markdown: string
  status?: KbStatus
  visibility: KbVisibility
  translation_of?: number | null
}

export interface KbArticlePatch {
  version: number
  section_id?: number | null
  slug?: string
  title?: string
  body_markdown?: string
  visibility?: KbVisibility
}

export interface KbVersion {
  article_id: number
  version: number
  title: string
  body_markdown?: string
  author_id: number | null
  created_at: string
}

export interface KbDiffLine {
  op: 'equal' | 'insert' | 'delete'
  text: string
}

export interface KbDiff {
  article_id: number
  from: number
  to: number
  title_from: string
  title_to: string
  lines: KbDiffLine[]
  inserted: number
  deleted: number
}

export interface KbSettings {
  enabled: boolean
  brand_name: string
  logo_url: string
  color: string
  contact_inbox_id: number | null
  updated_at?: string
}

export interface KbArticleFilter {
  lang?: string
  status?: string
  visibility?: string
  section_id?: number | null
  q?: string
}

export const listCategories = () => api.get<{ data: KbCategory[] }>('/kb/categories').then((r) => r.data)
export const createCategory = (in_: KbGroupInput) => api.post<KbCategory>('/kb/categories', in_)
export const updateCategory = (id: number, in_: KbGroupInput) => api.patch<KbCategory>(`/kb/categories/${id}`, in_)
export const deleteCategory = (id: number) => api.del<void>(`/kb/categories/${id}`)
export const listSections = () => api.get<{ data: KbSection[] }>('/kb/sections').then((r) => r.data)
export const createSection = (in_: KbGroupInput) => api.post<KbSection>('/kb/sections', in_)
export const updateSection = (id: number, in_: KbGroupInput) => api.patch<KbSection>(`/kb/sections/${id}`, in_)
export const deleteSection = (id: number) => api.del<void>(`/kb/sections/${id}`)

export const listArticles = (f: KbArticleFilter, cursor: string | null) =>
  api.get<{ data: KbArticle[]; next_cursor: string | null }>('/kb/articles', { query: { ...f, cursor, limit: 50 } })
export const getArticle = (id: number) => api.get<KbArticle>(`/kb/articles/${id}`)
export const createArticle = (in_: KbArticleInput) => api.post<KbArticle>('/kb/articles', in_)
export const updateArticle = (id: number, p: KbArticlePatch) => api.patch<KbArticle>(`/kb/articles/${id}`, p)
export const deleteArticle = (id: number) => api.del<void>(`/kb/articles/${id}`)
export const publishArticle = (id: number, publish: boolean) => api.post<KbArticle>(`/kb/articles/${id}/${publish ? 'publish' : 'unpublish'}`)
export const listVersions = (id: number) => api.get<{ data: KbVersion[] }>(`/kb/articles/${id}/versions`).then((r) => r.data)
export const diffVersions = (id: number, from: number, to: number) => api.get<KbDiff>(`/kb/articles/${id}/diff`, { query: { from, to } })
export const previewMarkdown = (body_markdown: string, signal?: AbortSignal) =>
  api.post<{ html: string }>('/kb/preview', { body_markdown }, { signal }).then((r) => r.html)
export const getKbSettings = () => api.get<KbSettings>('/kb/settings')
export const putKbSettings = (s: KbSettings) =>
  api.put<KbSettings>('/kb/settings', { enabled: s.enabled, brand_name: s.brand_name, logo_url: s.logo_url, color: s.color, contact_inbox_id: s.contact_inbox_id })

/** The public help center URL of an article. */
export function publicUrl(a: Pick<KbArticle, 'id' | 'language' | 'slug'>): string {
  return `/help/${a.language}/a/${a.id}-${encodeURIComponent(a.slug)}`
}

/** A category's or section's name in lang, falling back to the other language. */
export function groupName(g: Pick<KbCategory, 'name_he' | 'name_en'>, lang: string): string {
  return (lang === 'en' ? g.name_en || g.name_he : g.name_he || g.name_en) || ''
}
