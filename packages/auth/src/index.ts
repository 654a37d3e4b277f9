export * from './errors';
export * from './principal';
export * from './tokens';
export * from './router-secret';
export * from './context';
export * from './rules';
export * from './secret-box';
