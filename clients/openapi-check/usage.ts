// A client generated from the document (openapi-typescript types + openapi-fetch), calling every chat
// route as a front-end developer would. It is only compiled (tsc --strict): if the document lost a
// route, a body, a parameter, a status or an enum value, this stops compiling.
import createClient from "openapi-fetch";
import type { components, paths } from "./generated/dfchat";

type Schemas = components["schemas"];
type Problem = Schemas["ProblemDetails"] | Schemas["HttpValidationProblemDetails"];
// A validation problem is a problem with errors keyed by field.
export const validationIsAProblem = (problem: Schemas["HttpValidationProblemDetails"]): Schemas["ProblemDetails"] => problem;
export const fieldErrors = (problem: Schemas["HttpValidationProblemDetails"]): string[] | undefined => problem.errors["name"];

// Closed value sets are enums, each one named type that every property holding it uses: a value outside
// the contract does not compile, and a value read from one model goes into another without a cast.
type RoomType = Schemas["RoomType"];
type Permission = Schemas["Permission"];
export const sameRoomType = (room: Schemas["RoomModel"]): Schemas["CreateRoomRequest"]["type"] => room.type;
export const samePermissions = (member: Schemas["MemberModel"]): Schemas["AddMemberRequest"]["permissions"] => member.permissions;
export const roomTypes: RoomType[] = ["private_messages", "group", "channel"];
export const permissions: Permission[] = [
    "can_add_users", "can_remove_users", "can_create_messages", "can_delete_messages", "can_delete_own_messages",
    "can_edit_messages", "can_edit_own_messages", "can_edit_room", "can_delete_room",
];
// @ts-expect-error room types are a closed set
export const notARoomType: RoomType = "forum";
// @ts-expect-error permissions are a closed set
export const notAPermission: Permission = "can_fly";

// Statuses a client must handle are in the types.
type Responses<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R } ? R : never;
type Has<R, S extends number> = S extends keyof R ? true : false;
export const sendAnswers429: Has<Responses<"/api/chat/rooms/{roomId}/messages", "post">, 429> = true;
export const uploadAnswers413: Has<Responses<"/api/chat/media", "post">, 413> = true;
export const uploadAnswers415: Has<Responses<"/api/chat/media", "post">, 415> = true;
export const createAnswers415: Has<Responses<"/api/chat/rooms", "post">, 415> = true;
export const addMemberAnswers409: Has<Responses<"/api/chat/rooms/{roomId}/users", "post">, 409> = true;
export const eventsAnswer410: Has<Responses<"/api/chat/rooms/{roomId}/events", "get">, 410> = true;
export const contentAnswers206: Has<Responses<"/api/chat/media/{mediaId}/content", "get">, 206> = true;
export const contentAnswers416: Has<Responses<"/api/chat/media/{mediaId}/content", "get">, 416> = true;
export const everyRouteAnswers503: Has<Responses<"/api/chat/users/me", "get">, 503> = true;

function fail(error: Problem | undefined): never {
    throw new Error(`${error?.status} ${error?.title}: ${error?.detail} (${error?.code})`);
}

/** Every route of API.md §4, in the order of the use cases. */
export async function walkThrough(baseUrl: string, token: string, otherUserId: string, picture: Blob): Promise<void> {
    const chat = createClient<paths>({ baseUrl, headers: { Authorization: `Bearer ${token}` } });

    const me = await chat.GET("/api/chat/users/me");
    const myId: string = me.data?.id ?? fail(me.error);
    const users = await chat.GET("/api/chat/users", { params: { query: { search: "a", limit: 10 } } });
    const found: Schemas["UserModel"][] = users.data?.items ?? fail(users.error);

    const form = new FormData();
    form.append("file", picture, "cat.png");
    const upload = await chat.POST("/api/chat/media", { body: { file: "" }, bodySerializer: () => form });
    const media: Schemas["MediaModel"] = upload.data ?? fail(upload.error);
    await chat.GET("/api/chat/media/{mediaId}", { params: { path: { mediaId: media.id } } });
    const bytes = await chat.GET("/api/chat/media/{mediaId}/content", { params: { path: { mediaId: media.id }, header: { Range: "bytes=0-9" } }, parseAs: "blob" });
    const blob: Blob | undefined = bytes.data;

    const created = await chat.POST("/api/chat/rooms", {
        body: { type: "group", name: "Three of us", userIds: [otherUserId, ...found.map((u) => u.id).slice(0, 1)], isPublic: false },
    });
    const room: Schemas["RoomModel"] = created.data ?? fail(created.error);
    const roomId = room.id;
    const lastSeq: number | undefined = room.lastSeq;
    await chat.GET("/api/chat/rooms", { params: { query: { type: "group", search: "three", limit: 20 } } });
    await chat.GET("/api/chat/rooms/public", { params: { query: { search: "news" } } });
    await chat.GET("/api/chat/rooms/{roomId}", { params: { path: { roomId } } });
    await chat.PATCH("/api/chat/rooms/{roomId}", { params: { path: { roomId } }, body: { name: "Renamed", avatarMediaId: media.id } });
    await chat.POST("/api/chat/rooms/{roomId}/join", { params: { path: { roomId } } });

    const sent = await chat.POST("/api/chat/rooms/{roomId}/messages", {
        params: { path: { roomId } },
        body: { text: `${myId} created a chat`, mediaIds: [media.id], clientMessageId: "first" },
    });
    if (sent.response.status === 429) {
        const retryAfter = sent.response.headers.get("Retry-After");
        throw new Error(`slow down: ${retryAfter}`);
    }
    const message: Schemas["MessageModel"] = sent.data ?? fail(sent.error);
    // An erased user's messages may be kept anonymized: their author is null.
    const author: string = message.user !== null ? message.user.displayName : "someone";
    const messageId = message.id;
    await chat.GET("/api/chat/rooms/{roomId}/messages", { params: { path: { roomId }, query: { limit: 50 } } });
    await chat.GET("/api/chat/rooms/{roomId}/messages", { params: { path: { roomId }, query: { after: messageId } } });
    await chat.GET("/api/chat/rooms/{roomId}/messages/{messageId}", { params: { path: { roomId, messageId } } });
    await chat.PATCH("/api/chat/rooms/{roomId}/messages/{messageId}", { params: { path: { roomId, messageId } }, body: { text: `${author}: edited` } });

    const reacted = await chat.POST("/api/chat/rooms/{roomId}/messages/{messageId}/reactions", { params: { path: { roomId, messageId } }, body: { reaction: "like" } });
    const reaction: Schemas["ReactionModel"] = reacted.data ?? fail(reacted.error);
    await chat.GET("/api/chat/rooms/{roomId}/messages/{messageId}/reactions", { params: { path: { roomId, messageId } } });
    await chat.GET("/api/chat/reactions", { params: { query: { limit: 10 } } });
    await chat.GET("/api/chat/reactions/{reactionId}", { params: { path: { reactionId: reaction.id } } });
    await chat.DELETE("/api/chat/reactions/{reactionId}", { params: { path: { reactionId: reaction.id } } });

    const read = await chat.POST("/api/chat/rooms/{roomId}/read", { params: { path: { roomId } }, body: { messageId } });
    const unread: number = read.data?.unreadCount ?? fail(read.error);

    const events = await chat.GET("/api/chat/rooms/{roomId}/events", { params: { path: { roomId }, query: { after: 0, limit: 100 } } });
    if (events.response.status === 410) {
        // Older than the retained window: reload the room.
    }
    const names: Schemas["EventModel"]["type"][] = events.data?.items.map((e) => e.type) ?? [];
    // Events are told apart by type, each with its payload typed; a deleted message's events are redacted.
    const texts: string[] = [];
    for (const event of events.data?.items ?? []) {
        if (event.type === "messageCreated" && !("redacted" in event.payload)) texts.push(event.payload.text ?? "");
        else if (event.type === "memberAdded") texts.push(event.payload.userId);
        // @ts-expect-error a memberRemoved payload has no text
        else if (event.type === "memberRemoved") texts.push(event.payload.text);
    }

    const editor: Permission[] = ["can_add_users", "can_create_messages"];
    await chat.POST("/api/chat/rooms/{roomId}/users", { params: { path: { roomId } }, body: { userId: otherUserId, permissions: editor } });
    await chat.GET("/api/chat/rooms/{roomId}/users", { params: { path: { roomId }, query: { limit: 100 } } });
    const member = await chat.GET("/api/chat/rooms/{roomId}/users/{userId}", { params: { path: { roomId, userId: "me" } } });
    const owner: boolean = member.data?.isOwner ?? fail(member.error);
    await chat.PATCH("/api/chat/rooms/{roomId}/users/{userId}", { params: { path: { roomId, userId: "me" } }, body: { muted: true } });
    await chat.DELETE("/api/chat/rooms/{roomId}/users/{userId}", { params: { path: { roomId, userId: otherUserId } } });

    await chat.DELETE("/api/chat/rooms/{roomId}/messages/{messageId}", { params: { path: { roomId, messageId } } });
    const deleted = await chat.DELETE("/api/chat/rooms/{roomId}", { params: { path: { roomId } } });
    if (deleted.error) fail(deleted.error);

    console.log(blob?.size, lastSeq, unread, names, texts, owner);
}
