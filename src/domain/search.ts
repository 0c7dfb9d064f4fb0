import { defineSearchAttributeKey } from '@temporalio/common';

/** Registered on every server (dev, production, test): `Phase='rectification' AND OverdueItems > 0`. */
export const RoundIdKey = defineSearchAttributeKey('RoundId', 'KEYWORD');
export const UnitIdKey = defineSearchAttributeKey('UnitId', 'KEYWORD');
export const PhaseKey = defineSearchAttributeKey('Phase', 'KEYWORD');
export const OverdueItemsKey = defineSearchAttributeKey('OverdueItems', 'INT');
export const SEARCH_ATTRIBUTE_TYPES = { RoundId: 'Keyword', UnitId: 'Keyword', Phase: 'Keyword', OverdueItems: 'Int' } as const;
