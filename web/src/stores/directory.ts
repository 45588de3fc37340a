// Reference data every screen names things from: agents, teams, inboxes
// and tags. Loaded once after sign-in; a list the agent may not read stays
// empty rather than failing the app.
import { defineStore } from 'pinia'
import { computed, ref, shallowRef } from 'vue'
import { api } from '@/api/client'
import type { Agent, Inbox, List, Tag, Team } from '@/api/types'

export const useDirectoryStore = defineStore('directory', () => {
  const agents = shallowRef<Agent[]>([])
  const teams = shallowRef<Team[]>([])
  const inboxes = shallowRef<Inbox[]>([])
  const tags = shallowRef<Tag[]>([])
  const loaded = ref(false)

  const agentById = computed(() => new Map(agents.value.map((a) => [a.id, a])))
  const teamById = computed(() => new Map(teams.value.map((t) => [t.id, t])))
  const inboxById = computed(() => new Map(inboxes.value.map((i) => [i.id, i])))
  const tagByName = computed(() => new Map(tags.value.map((t) => [t.name, t])))
  const activeAgents = computed(() => agents.value.filter((a) => a.active).sort((a, b) => a.name.localeCompare(b.name)))
  const sortedTeams = computed(() => [...teams.value].sort((a, b) => a.name.localeCompare(b.name)))

  async function listOrEmpty<T>(path: string): Promise<T[]> {
    try {
      return (await api.get<List<T>>(path)).data
    } catch {
      return []
    }
  }

  async function load(force = false): Promise<void> {
    if (loaded.value && !force) return
    const [a, t, i, g] = await Promise.all([
      listOrEmpty<Agent>('/agents'),
      listOrEmpty<Team>('/teams'),
      listOrEmpty<Inbox>('/inboxes'),
      listOrEmpty<Tag>('/tags'),
    ])
    agents.value = a
    teams.value = t
    inboxes.value = i
    tags.value = g
    loaded.value = true
  }

  function reset(): void {
    agents.value = []
    teams.value = []
    inboxes.value = []
    tags.value = []
    loaded.value = false
  }

  return { agents, teams, inboxes, tags, loaded, agentById, teamById, inboxById, tagByName, activeAgents, sortedTeams, load, reset }
})
