using DfChat.AspNetCore.Contracts;
using DfChat.Models;
using DfChat.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;

namespace DfChat.AspNetCore;

/// <summary>Routes of rooms: list, public list, create, get, change, delete, join, read.</summary>
internal static class RoomEndpoints
{
    private const string Tag = "Rooms";

    public static void Map(ChatRouteMapper map)
    {
        map.Get("/rooms", ListMine, "DfChatListRooms", "The caller's rooms, newest activity first.", Tag);
        map.Get("/rooms/public", ListPublic, "DfChatListPublicRooms", "Public rooms, member or not, newest activity first.", Tag);
        map.Post("/rooms", Create, "DfChatCreateRoom", "Creates a room; for private messages, returns the pair's existing room.", Tag)
            .WithMetadata(new DfChatRequestBody(typeof(CreateRoomRequest), "application/json"));
        map.Get("/rooms/{roomId}", Get, "DfChatGetRoom", "A room the caller may read.", Tag);
        map.Patch("/rooms/{roomId}", Update, "DfChatUpdateRoom", "Changes a room (can_edit_room).", Tag)
            .WithMetadata(new DfChatRequestBody(typeof(UpdateRoomRequest), "application/json"));
        map.Delete("/rooms/{roomId}", Delete, "DfChatDeleteRoom", "Deletes a room with everything in it (can_delete_room).", Tag);
        map.Post("/rooms/{roomId}/join", Join, "DfChatJoinRoom", "Joins a public room.", Tag);
        map.Post("/rooms/{roomId}/read", MarkRead, "DfChatMarkRoomRead", "Moves the caller's read position to a message, or to now.", Tag)
            .WithMetadata(new DfChatRequestBody(typeof(MarkReadBody), "application/json"));
        map.Get("/rooms/{roomId}/events", ListEvents, "DfChatListRoomEvents", "The room's events after a seq, oldest first: catch-up after a gap or a reconnect.", Tag);
    }

    private static async Task<Results<ChatOk<PageModel<RoomModel>>, ProblemHttpResult>> ListMine(
        HttpContext http, IChatRoomService rooms, string? type, string? search, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await rooms.ListMineAsync(ChatHttp.Caller(http), type, search, new PageRequest(take, cursor), cancellationToken));
    }

    private static async Task<Results<ChatOk<PageModel<RoomModel>>, ProblemHttpResult>> ListPublic(
        HttpContext http, IChatRoomService rooms, string? search, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await rooms.ListPublicAsync(ChatHttp.Caller(http), search, new PageRequest(take, cursor), cancellationToken));
    }

    private static async Task<Results<ChatOk<PageModel<EventModel>>, ProblemHttpResult>> ListEvents(
        HttpContext http, IChatRoomService rooms, string roomId, string? after, string? limit, string? cursor, CancellationToken cancellationToken)
    {
        if (!ChatHttp.TryParseLimit(limit, out var take, out var problem))
            return problem!;
        return ChatResults.Ok(await rooms.ListEventsAsync(ChatHttp.Caller(http), roomId, after, new PageRequest(take, cursor), cancellationToken));
    }

    private static async Task<Results<ChatCreated<RoomModel>, ChatOk<RoomModel>, ProblemHttpResult>> Create(
        HttpContext http, IChatRoomService rooms, CancellationToken cancellationToken)
    {
        var (body, problem) = await ChatHttp.ReadBodyAsync<CreateRoomRequest>(http.Request, cancellationToken);
        if (problem is not null)
            return problem;
        return ChatResults.CreatedOrOk(await rooms.CreateAsync(ChatHttp.Caller(http), body!, cancellationToken), http.Request, r => r.Id);
    }

    private static async Task<Results<ChatOk<RoomModel>, ProblemHttpResult>> Get(
        HttpContext http, IChatRoomService rooms, string roomId, CancellationToken cancellationToken) =>
        ChatResults.Ok(await rooms.GetAsync(ChatHttp.Caller(http), roomId, cancellationToken));

    private static async Task<Results<ChatOk<RoomModel>, ProblemHttpResult>> Update(
        HttpContext http, IChatRoomService rooms, string roomId, CancellationToken cancellationToken)
    {
        var (body, problem) = await ChatHttp.ReadBodyAsync<UpdateRoomRequest>(http.Request, cancellationToken);
        if (problem is not null)
            return problem;
        return ChatResults.Ok(await rooms.UpdateAsync(ChatHttp.Caller(http), roomId, body!, cancellationToken));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> Delete(
        HttpContext http, IChatRoomService rooms, string roomId, CancellationToken cancellationToken) =>
        ChatResults.NoContent(await rooms.DeleteAsync(ChatHttp.Caller(http), roomId, cancellationToken));

    private static async Task<Results<ChatOk<RoomModel>, ProblemHttpResult>> Join(
        HttpContext http, IChatRoomService rooms, string roomId, CancellationToken cancellationToken) =>
        ChatResults.Ok(await rooms.JoinAsync(ChatHttp.Caller(http), roomId, cancellationToken));

    private static async Task<Results<ChatOk<MembershipModel>, ProblemHttpResult>> MarkRead(
        HttpContext http, IChatRoomService rooms, string roomId, CancellationToken cancellationToken)
    {
        var (body, problem) = await ChatHttp.ReadBodyAsync<MarkReadBody>(http.Request, cancellationToken);
        if (problem is not null)
            return problem;
        return ChatResults.Ok(await rooms.MarkReadAsync(ChatHttp.Caller(http), roomId, body!.MessageId, cancellationToken));
    }
}
