import { UNPRINTABLE } from './printer'

export const DISHES = ['Margherita', 'Risotto', 'Tiramisu', UNPRINTABLE] as const
export const TABLES = [1, 2, 3, 4, 5, 6] as const
