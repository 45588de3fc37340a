// Keyboard commands from the inbox to the open conversation (r, n, a, s).
import { shallowRef } from 'vue'

export type Command = 'reply' | 'note' | 'assign' | 'status'

export const command = shallowRef<{ name: Command; seq: number } | null>(null)
let seq = 0

export function dispatch(name: Command): void {
  command.value = { name, seq: ++seq }
}
