export * from './apply';
export * from './conflict';
export * from './mutators';
export * from './protocol';
export * from './reference';
export * from './ticket-fields';
