export * from './models.js';
export { DfChatError, parseRetryAfter, type ProblemDetails } from './errors.js';
export { DfChatClient, type AccessTokenProvider, type CreateResult, type DfChatClientOptions, type DfChatRequest, type Query, type MediaContent } from './client.js';
export { RoomEventSequencer, isEvent, roomIdOf, type ResyncNeeded, type RoomEventSequencerOptions } from './sequencer.js';
export { DfChatRealtime, type ConnectionState, type DfChatRealtimeOptions, type RealtimeEventMap } from './realtime.js';
export { HttpTransportType, LogLevel } from '@microsoft/signalr';
