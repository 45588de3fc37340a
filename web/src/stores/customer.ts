// The customer 360 panel: the requester's contact record, their
// organization and their other conversations.
import { defineStore } from 'pinia'
import { ref, shallowRef } from 'vue'
import { api, ApiError } from '@/api/client'
import type { Contact, Conversation, Organization, Page } from '@/api/types'

export const useCustomerStore = defineStore('customer', () => {
  const contact = shallowRef<Contact | null>(null)
  const organization = shallowRef<Organization | null>(null)
  const conversations = shallowRef<Conversation[]>([])
  const moreConversations = ref(false)
  const loading = ref(false)
  const forbidden = ref(false)
  let currentId: number | null = null

  async function load(contactId: number, force = false): Promise<void> {
    if (contactId === currentId && !force) return
    currentId = contactId
    loading.value = true
    forbidden.value = false
    if (!force) {
      contact.value = null
      organization.value = null
      conversations.value = []
    }
    try {
      const [c, convs] = await Promise.all([
        api.get<Contact>(`/contacts/${contactId}`),
        api.get<Page<Conversation>>('/conversations', { query: { requester: contactId, sort: '-created_at', limit: 20 } }),
      ])
      if (contactId !== currentId) return
      contact.value = c
      conversations.value = convs.data
      moreConversations.value = convs.next_cursor !== null
      organization.value = c.organization_id ? await api.get<Organization>(`/organizations/${c.organization_id}`).catch(() => null) : null
    } catch (e) {
      if (contactId !== currentId) return
      if (e instanceof ApiError && e.status === 403) forbidden.value = true
    } finally {
      if (contactId === currentId) loading.value = false
    }
  }

  function reset(): void {
    currentId = null
    contact.value = null
    organization.value = null
    conversations.value = []
  }

  return { contact, organization, conversations, moreConversations, loading, forbidden, load, reset }
})
