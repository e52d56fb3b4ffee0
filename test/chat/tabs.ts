/**
 * Tabs of one origin, for Node tests: each tab has its own `localStorage` object over one shared
 * store, and a write fires a `storage` event in every other tab, one task later, with that tab's
 * own storage object as `storageArea`, as browsers do
 * (https://html.spec.whatwg.org/multipage/webstorage.html#the-storage-event). Chromium tests use
 * real tabs instead (reload.test.ts).
 */
import { localStorageChatStorage, type ChatStorage, type ResumeStorage } from '../../src/core/index'

export interface Tab {
  storage: ResumeStorage
  events: EventTarget
  chatStorage: ChatStorage
}

export function origin() {
  const data = new Map<string, string>()
  const tabs: Tab[] = []
  const notify = (from: Tab, key: string) => {
    for (const tab of tabs) {
      if (tab === from) continue
      setTimeout(() => {
        const event = Object.assign(new Event('storage'), { key, storageArea: tab.storage })
        tab.events.dispatchEvent(event)
      }, 0)
    }
  }
  return {
    data,
    tab(): Tab {
      const events = new EventTarget()
      const tab: Tab = {
        events,
        storage: {
          getItem: (key) => data.get(key) ?? null,
          setItem: (key, value) => {
            if (data.get(key) === value) return
            data.set(key, value)
            notify(tab, key)
          },
          removeItem: (key) => {
            if (!data.delete(key)) return
            notify(tab, key)
          },
        },
        chatStorage: undefined as unknown as ChatStorage,
      }
      tab.chatStorage = localStorageChatStorage({ storage: tab.storage, events })
      tabs.push(tab)
      return tab
    },
  }
}
