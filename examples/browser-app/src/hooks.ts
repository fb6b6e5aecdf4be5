import { createTidingsHooks } from '@tidings/react'
import { bus } from './bus'

/**
 * The shop's hooks, typed from its bus (its catalog, and the dead letters standard() adds), bound
 * to it: the page has one bus, so it needs no provider. They subscribe when a view mounts and
 * unsubscribe when it unmounts, and always call the view's latest handler.
 */
export const { useEvent, useEmit, useDeadLetters } = createTidingsHooks(bus)
