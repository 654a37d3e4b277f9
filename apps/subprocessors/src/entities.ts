import { SubprocessorChangeEntity } from './change/change.entity';
import { SubprocessorObjectionEntity } from './objection/objection.entity';
import { SubprocessorRecord } from './subprocessor/subprocessor.entity';

/** The tables of the subprocessors schema, as TypeORM maps them. */
export const subprocessorsEntities = [SubprocessorRecord, SubprocessorChangeEntity, SubprocessorObjectionEntity];
