import { SubprocessorEntity } from './subprocessor/subprocessor.entity';

export const subprocessorsEntities = [SubprocessorEntity];
