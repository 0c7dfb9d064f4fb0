// Every signal, query and update in one place: clients send with the very objects workflows handle.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { CloseItemInput, RecordProblemInput } from './problem';
import type { ItemStatus, RoundStatus, UnitPhase, UnitStatus } from './status';

export const roundStatusQuery = defineQuery<RoundStatus>('roundStatus');
export const unitPhaseChangedSignal = defineSignal<[{ unitId: string; phase: UnitPhase }]>('unitPhaseChanged');

export const unitStatusQuery = defineQuery<UnitStatus>('unitStatus');
export const recordProblemUpdate = defineUpdate<{ problemId: string }, [RecordProblemInput]>('recordProblem');

export const itemStatusQuery = defineQuery<ItemStatus>('itemStatus');
export const closeItemUpdate = defineUpdate<ItemStatus, [CloseItemInput]>('closeItem');
