export { BACKOFF_MAX_MS, backoffDelay } from './backoff';
export { SyncClient, type SyncClientOptions, uuid } from './client';
export { type FetchLike, SyncHttpError } from './http';
export { holdLeadership, type LockManagerLike, MemoryLocks } from './leader';
export { databaseName, type PendingMutation, type Rejection, SyncDatabase } from './schema';
export { readEvents } from './sse';
export { initialSyncState, StateStore, type SyncState } from './state';
export { getArticle, putArticles, removeArticles } from './threads';
export { UPLOAD_CHUNK_BYTES, uploadBlob } from './uploads';
