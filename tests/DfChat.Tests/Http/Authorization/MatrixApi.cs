using System.Collections.Concurrent;
using System.Net;
using DfChat.Tests.Http.Infrastructure;

namespace DfChat.Tests.Http.Authorization;

/// <summary>
/// One host per provider for the whole matrix, with its cast of users and one room per <see cref="RoomKind"/>
/// built once and shared by the cases whose route changes nothing that matters to the others; routes
/// that change who is who (join, leave, delete) get a fresh room per case.
/// </summary>
public abstract class MatrixApi(DatabaseProvider provider) : UnthrottledChatApi(provider)
{
    private readonly ConcurrentDictionary<string, Lazy<Task<MatrixRoom>>> _shared = new();
    private readonly SemaphoreSlim _castGate = new(1, 1);
    private Cast? _cast;

    /// <summary>The users every group and channel of the matrix is built from.</summary>
    public async Task<Cast> CastAsync()
    {
        await _castGate.WaitAsync();
        try
        {
            return _cast ??= new Cast(
                await CreateUserAsync("owner"), await CreateUserAsync("with"), await CreateUserAsync("without"),
                await CreateUserAsync("default"), await CreateUserAsync("bystander"), await CreateUserAsync("outsider"));
        }
        finally
        {
            _castGate.Release();
        }
    }

    /// <summary>The shared room of <paramref name="kind"/>, with messages, reactions and media.</summary>
    public Task<MatrixRoom> SharedAsync(RoomKind kind) =>
        _shared.GetOrAdd(kind.Key, _ => new Lazy<Task<MatrixRoom>>(() => BuildAsync(kind, full: true))).Value;

    /// <summary>A new room of <paramref name="kind"/> with its members only.</summary>
    public Task<MatrixRoom> FreshAsync(RoomKind kind) => BuildAsync(kind, full: false);

    private async Task<MatrixRoom> BuildAsync(RoomKind kind, bool full)
    {
        var cast = await CastAsync();
        MatrixRoom room;
        if (kind.IsPrivateMessages)
        {
            // A private room comes back for the same pair: each one is between two new users.
            var creator = await CreateUserAsync("pm-creator");
            var partner = await CreateUserAsync("pm-partner");
            var id = await creator.CreateRoomIdAsync("private_messages", null, false, partner);
            room = new MatrixRoom(kind, id, creator, null, cast.Outsider, new Dictionary<Role, ChatUser> { [Role.DefaultMember] = partner });
        }
        else
        {
            var id = await cast.Owner.CreateRoomIdAsync(kind.Type, null, kind.IsPublic);
            await cast.Owner.AddMemberAsync(id, cast.With, Rules.AllPermissions);
            await cast.Owner.AddMemberAsync(id, cast.Without, []);
            await cast.Owner.AddMemberAsync(id, cast.Default);
            await cast.Owner.AddMemberAsync(id, cast.Bystander, ["can_create_messages"]);
            room = new MatrixRoom(kind, id, cast.Bystander, cast.Owner, cast.Outsider, new Dictionary<Role, ChatUser>
            {
                [Role.MemberWithout] = cast.Without,
                [Role.DefaultMember] = cast.Default,
                [Role.MemberWith] = cast.With,
                [Role.Owner] = cast.Owner,
            });
        }

        if (full)
            await FurnishAsync(room);
        return room;
    }

    /// <summary>Another member's message with a reaction and a picture, and each member's own messages and reactions.</summary>
    private async Task FurnishAsync(MatrixRoom room)
    {
        var media = await room.Bystander.UploadPngAsync();
        room.Message = (await HttpAssert.JsonAsync(
            await room.Bystander.PostAsync($"rooms/{room.Id}/messages", new { text = "by another member", mediaIds = new[] { media } }),
            HttpStatusCode.Created)).Str("id");
        room.Media = media;
        room.Reaction = (await room.Bystander.ReactAsync(room.Id, room.Message, "dislike")).Str("id");

        foreach (var (role, user) in room.Members)
        {
            await WhilePostingAsync(room, role, async () =>
            {
                room.OwnMessage[role] = await user.SendIdAsync(room.Id, "own, kept");
                room.OwnDeletable[role] = await user.SendIdAsync(room.Id, "own, to delete");
            });
            room.OwnReaction[role] = (await user.ReactAsync(room.Id, room.OwnMessage[role], "dislike")).Str("id");
        }
    }

    /// <summary>Runs <paramref name="post"/> for a member that may not post: the owner grants it for the time of the posts, then restores its permissions.</summary>
    private static async Task WhilePostingAsync(MatrixRoom room, Role role, Func<Task> post)
    {
        var permissions = Rules.PermissionsOf(role, room.Kind);
        if (permissions.Contains("can_create_messages"))
        {
            await post();
            return;
        }

        var user = room.Members[role];
        await HttpAssert.JsonAsync(await room.Owner!.PatchAsync($"rooms/{room.Id}/users/{user.Id}", new { permissions = permissions.Append("can_create_messages").ToArray() }));
        await post();
        await HttpAssert.JsonAsync(await room.Owner!.PatchAsync($"rooms/{room.Id}/users/{user.Id}", new { permissions }));
    }
}

/// <summary>The users of every group and channel of the matrix.</summary>
public sealed record Cast(ChatUser Owner, ChatUser With, ChatUser Without, ChatUser Default, ChatUser Bystander, ChatUser Outsider);

/// <summary>A room of the matrix: its members by role, and what its cases point at.</summary>
public sealed class MatrixRoom(RoomKind kind, string id, ChatUser bystander, ChatUser? owner, ChatUser outsider, Dictionary<Role, ChatUser> members)
{
    public RoomKind Kind { get; } = kind;

    public string Id { get; } = id;

    /// <summary>A member that is none of the roles: the author of "another member's" message and reaction (in a private room, the other member).</summary>
    public ChatUser Bystander { get; } = bystander;

    public ChatUser? Owner { get; } = owner;

    public ChatUser Outsider { get; } = outsider;

    /// <summary>The members by role (the owner included).</summary>
    public Dictionary<Role, ChatUser> Members { get; } = members;

    public string Message { get; set; } = "";

    public string Reaction { get; set; } = "";

    public string Media { get; set; } = "";

    public Dictionary<Role, string> OwnMessage { get; } = [];

    public Dictionary<Role, string> OwnDeletable { get; } = [];

    public Dictionary<Role, string> OwnReaction { get; } = [];

    /// <summary>The user who plays <paramref name="role"/>, or null for the anonymous caller.</summary>
    public ChatUser? Caller(Role role) => role switch
    {
        Role.Anonymous => null,
        Role.Outsider => Outsider,
        _ => Members[role],
    };
}

public sealed class SqliteMatrixApi() : MatrixApi(DatabaseProvider.Sqlite);

public sealed class PostgresMatrixApi() : MatrixApi(DatabaseProvider.Postgres);
