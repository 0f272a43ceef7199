namespace DfChat.Tests.Http.Authorization;

/// <summary>Who calls, relative to the room under test.</summary>
public enum Role
{
    /// <summary>No credentials.</summary>
    Anonymous,

    /// <summary>Signed in, not a member (of a public room, a reader; of any other room, a stranger).</summary>
    Outsider,

    /// <summary>A member added with an explicit empty permission list.</summary>
    MemberWithout,

    /// <summary>A member added with the room type's defaults (in a private room, the other member).</summary>
    DefaultMember,

    /// <summary>A member (not the owner) granted every permission.</summary>
    MemberWith,

    /// <summary>The creator of a group or channel.</summary>
    Owner,
}

/// <summary>A room under test: its type and whether it is public.</summary>
public sealed record RoomKind(string Type, bool IsPublic)
{
    public static readonly RoomKind[] All =
    [
        new("private_messages", false),
        new("group", false), new("group", true),
        new("channel", false), new("channel", true),
    ];

    public bool IsPrivateMessages => Type == "private_messages";

    /// <summary>The roles a room of this kind has: a private room has two members with the defaults and no owner.</summary>
    public Role[] Roles => IsPrivateMessages
        ? [Role.Anonymous, Role.Outsider, Role.DefaultMember]
        : Enum.GetValues<Role>();

    public string Key => IsPublic ? Type + "+public" : Type;

    public static RoomKind Parse(string key) => All.Single(k => k.Key == key);

    public override string ToString() => Key;
}

/// <summary>What a route asks of its caller (API.md §3 and the "who" column of §4).</summary>
public enum Need
{
    /// <summary>Any signed-in user; no room involved.</summary>
    SignedIn,

    /// <summary>A reader: a member, or anyone for a public room.</summary>
    Reader,

    /// <summary><c>POST /rooms/{roomId}/join</c>: anyone for a public room; a member gets 200 with no change.</summary>
    Join,

    /// <summary>Membership, no permission (reacting, marking read, removing one's own reaction).</summary>
    Member,

    /// <summary>Membership holding <see cref="Rule.Permission"/>.</summary>
    Permission,

    /// <summary>Adding a member: <c>can_add_users</c>, and nobody adds to a private room.</summary>
    AddMember,

    /// <summary>Changing another member's permissions: the owner only.</summary>
    OwnerOnly,

    /// <summary>The caller's own <c>muted</c>/<c>lastSeenAt</c> (<c>/users/me</c>): a non-member has no such membership.</summary>
    OwnSettings,


    /// <summary>Another member's <c>muted</c>/<c>lastSeenAt</c>: nobody but that member, owner included.</summary>
    OthersSettings,

    /// <summary>Leaving (<c>DELETE /rooms/{roomId}/users/me</c>): nobody leaves a private room, the owner cannot leave.</summary>
    Leave,

    /// <summary>Removing another member: <c>can_remove_users</c>; nobody is removed from a private room.</summary>
    RemoveOther,

    /// <summary>Removing the owner: as <see cref="RemoveOther"/>, then 409.</summary>
    RemoveOwner,

    /// <summary>Pinning (API.md §8): <c>can_edit_room</c>; in a private room, either member.</summary>
    Pin,
}

/// <summary>
/// One route of API.md §4 as the matrix calls it: the route's pattern, the concrete request (placeholders
/// filled from the scenario), what it needs and what it answers on success.
/// </summary>
public sealed record Rule(string Method, string Pattern, string Path, Need Need, int Success)
{
    /// <summary>The case name: method, pattern and, where one pattern is called several ways, the variant.</summary>
    public string Name { get; init; } = $"{Method} {Pattern}";

    public string? Permission { get; init; }

    /// <summary>A JSON body, or <see cref="Rules.Upload"/> for the multipart upload.</summary>
    public object? Body { get; init; }

    /// <summary>Whether a success changes who is who in the room (leave, join, delete): each case gets a fresh room.</summary>
    public bool FreshRoom { get; init; }

    /// <summary>Whether the rule exists in rooms of this kind (there is no owner to remove in a private room).</summary>
    public Func<RoomKind, bool> AppliesTo { get; init; } = _ => true;

    public override string ToString() => Name;
}

/// <summary>
/// The contract's authorization rules as a table, written from API.md (not from the product's code) so that
/// a reviewer can check it line by line against §1–§4. <see cref="Expected"/> turns a rule, a caller and a
/// room into the one status the contract prescribes.
/// </summary>
public static class Rules
{
    /// <summary>Marks the multipart body of <c>POST /media</c>.</summary>
    public static readonly object Upload = new();

    public static readonly string[] AllPermissions =
    [
        "can_add_users", "can_remove_users", "can_create_messages", "can_delete_messages", "can_delete_own_messages",
        "can_edit_messages", "can_edit_own_messages", "can_edit_room", "can_delete_room",
    ];

    /// <summary>API.md §3, the defaults of a member added or joining without explicit permissions.</summary>
    public static string[] Defaults(string type) => type switch
    {
        "private_messages" => ["can_create_messages", "can_edit_own_messages", "can_delete_own_messages", "can_delete_room"],
        "group" => ["can_create_messages", "can_add_users", "can_edit_own_messages", "can_delete_own_messages"],
        _ => ["can_add_users"],
    };

    // Placeholders filled per case: {room}; {message} (another member's message); {ownMessage} and
    // {ownDeletable} (the caller's own, one kept and one to delete); {othersDeletable} (another member's,
    // fresh per case); {member} (another member); {newUser} (a user not in the room, fresh per case);
    // {victim} (a member added for this case); {owner}; {reaction} (another member's);
    // {ownReaction} (the caller's own); {othersReaction} (another member's, fresh per case); {media}
    // (attached to a message of the room).
    public static readonly Rule[] Table =
    [
        // §4 Users, and the routes that concern no room: any signed-in user.
        new("GET", "/users/me", "users/me", Need.SignedIn, 200),
        new("GET", "/users/me/export", "users/me/export", Need.SignedIn, 200),
        // §8: a user the caller shares no room with (fresh per case) is 404 to everyone; PresenceTests cover the 200.
        new("GET", "/users/{userId}", "users/{newUser}", Need.SignedIn, 404),
        new("GET", "/search/messages", "search/messages?q=hello&roomId={room}", Need.Reader, 200),
        new("GET", "/users", "users?search=a", Need.SignedIn, 200),
        new("GET", "/rooms", "rooms", Need.SignedIn, 200),
        new("GET", "/rooms/public", "rooms/public", Need.SignedIn, 200),
        new("POST", "/rooms", "rooms", Need.SignedIn, 201) { Body = new { type = "group", name = "matrix" } },
        new("POST", "/media", "media", Need.SignedIn, 201) { Body = Upload },
        new("GET", "/reactions", "reactions", Need.SignedIn, 200),

        // §4 Rooms.
        new("GET", "/rooms/{roomId}", "rooms/{room}", Need.Reader, 200),
        new("PATCH", "/rooms/{roomId}", "rooms/{room}", Need.Permission, 200) { Permission = "can_edit_room", Body = new { description = "changed" } },
        new("DELETE", "/rooms/{roomId}", "rooms/{room}", Need.Permission, 204) { Permission = "can_delete_room", FreshRoom = true },
        new("POST", "/rooms/{roomId}/join", "rooms/{room}/join", Need.Join, 200) { FreshRoom = true },
        new("POST", "/rooms/{roomId}/read", "rooms/{room}/read", Need.Member, 200) { Body = new { } },
        new("GET", "/rooms/{roomId}/events", "rooms/{room}/events?after=0", Need.Reader, 200),

        // §4 Room users.
        new("GET", "/rooms/{roomId}/users", "rooms/{room}/users", Need.Reader, 200),
        new("POST", "/rooms/{roomId}/users", "rooms/{room}/users", Need.AddMember, 201) { Body = new { userId = "{newUser}" } },
        new("GET", "/rooms/{roomId}/users/{userId}", "rooms/{room}/users/{member}", Need.Reader, 200),
        new("PATCH", "/rooms/{roomId}/users/{userId}", "rooms/{room}/users/me", Need.OwnSettings, 200)
            { Name = "PATCH /rooms/{roomId}/users/me {muted}", Body = new { muted = true } },
        new("PATCH", "/rooms/{roomId}/users/{userId}", "rooms/{room}/users/{member}", Need.OthersSettings, 200)
            { Name = "PATCH /rooms/{roomId}/users/{other} {muted}", Body = new { muted = true } },
        new("PATCH", "/rooms/{roomId}/users/{userId}", "rooms/{room}/users/{member}", Need.OwnerOnly, 200)
            { Name = "PATCH /rooms/{roomId}/users/{other} {permissions}", Body = new { permissions = new[] { "can_create_messages" } } },
        new("DELETE", "/rooms/{roomId}/users/{userId}", "rooms/{room}/users/me", Need.Leave, 204)
            { Name = "DELETE /rooms/{roomId}/users/me", FreshRoom = true },
        new("DELETE", "/rooms/{roomId}/users/{userId}", "rooms/{room}/users/{victim}", Need.RemoveOther, 204)
            { Name = "DELETE /rooms/{roomId}/users/{other}" },
        new("DELETE", "/rooms/{roomId}/users/{userId}", "rooms/{room}/users/{owner}", Need.RemoveOwner, 409)
            { Name = "DELETE /rooms/{roomId}/users/{owner}", AppliesTo = k => !k.IsPrivateMessages },

        // §4 Messages (editing and deleting: §3, own with *_own_messages, others' with *_messages).
        new("GET", "/rooms/{roomId}/messages", "rooms/{room}/messages", Need.Reader, 200),
        new("GET", "/rooms/{roomId}/messages", "rooms/{room}/messages?after={message}", Need.Reader, 200)
            { Name = "GET /rooms/{roomId}/messages?after=" },
        new("POST", "/rooms/{roomId}/messages", "rooms/{room}/messages", Need.Permission, 201) { Permission = "can_create_messages", Body = new { text = "matrix" } },
        new("GET", "/rooms/{roomId}/messages/{messageId}", "rooms/{room}/messages/{message}", Need.Reader, 200),
        new("PATCH", "/rooms/{roomId}/messages/{messageId}", "rooms/{room}/messages/{ownMessage}", Need.Permission, 200)
            { Name = "PATCH /rooms/{roomId}/messages/{own}", Permission = "can_edit_own_messages", Body = new { text = "edited" } },
        new("PATCH", "/rooms/{roomId}/messages/{messageId}", "rooms/{room}/messages/{message}", Need.Permission, 200)
            { Name = "PATCH /rooms/{roomId}/messages/{others}", Permission = "can_edit_messages", Body = new { text = "edited" } },
        new("DELETE", "/rooms/{roomId}/messages/{messageId}", "rooms/{room}/messages/{ownDeletable}", Need.Permission, 204)
            { Name = "DELETE /rooms/{roomId}/messages/{own}", Permission = "can_delete_own_messages" },
        new("DELETE", "/rooms/{roomId}/messages/{messageId}", "rooms/{room}/messages/{othersDeletable}", Need.Permission, 204)
            { Name = "DELETE /rooms/{roomId}/messages/{others}", Permission = "can_delete_messages" },

        // §4 Reactions (deleting: §3, its author, or a member with can_delete_messages).
        new("GET", "/rooms/{roomId}/messages/{messageId}/reactions", "rooms/{room}/messages/{message}/reactions", Need.Reader, 200),
        new("POST", "/rooms/{roomId}/messages/{messageId}/reactions", "rooms/{room}/messages/{message}/reactions", Need.Member, 201) { Body = new { reaction = "like" } },
        new("GET", "/reactions/{reactionId}", "reactions/{reaction}", Need.Reader, 200),
        new("DELETE", "/reactions/{reactionId}", "reactions/{ownReaction}", Need.Member, 204) { Name = "DELETE /reactions/{own}" },
        new("DELETE", "/reactions/{reactionId}", "reactions/{othersReaction}", Need.Permission, 204)
            { Name = "DELETE /reactions/{others}", Permission = "can_delete_messages" },

        // §8 Conversation: threads, pins, edit history and read receipts.
        new("GET", "/rooms/{roomId}/messages/{messageId}/thread", "rooms/{room}/messages/{message}/thread", Need.Reader, 200),
        new("POST", "/rooms/{roomId}/messages/{messageId}/pin", "rooms/{room}/messages/{message}/pin", Need.Pin, 200) { Permission = "can_edit_room" },
        new("DELETE", "/rooms/{roomId}/messages/{messageId}/pin", "rooms/{room}/messages/{message}/pin", Need.Pin, 200) { Permission = "can_edit_room" },
        new("GET", "/rooms/{roomId}/pins", "rooms/{room}/pins", Need.Reader, 200),
        new("GET", "/rooms/{roomId}/messages/{messageId}/history", "rooms/{room}/messages/{message}/history", Need.Reader, 200),
        new("GET", "/rooms/{roomId}/messages/{messageId}/readers", "rooms/{room}/messages/{message}/readers", Need.Reader, 200),

        // §4 Media attached to a message of the room: its readers see it.
        new("GET", "/media/{mediaId}", "media/{media}", Need.Reader, 200),
        new("GET", "/media/{mediaId}/content", "media/{media}/content", Need.Reader, 200),

        // §9 Moderation: bans as removing (can_remove_users, none in private rooms), invitations as adding
        // (can_add_users, none in private rooms), ownership by the owner, reports by readers, blocks by anyone.
        new("POST", "/rooms/{roomId}/bans", "rooms/{room}/bans", Need.RemoveOther, 201) { Body = new { userId = "{newUser}" } },
        new("GET", "/rooms/{roomId}/bans", "rooms/{room}/bans", Need.RemoveOther, 200),
        new("DELETE", "/rooms/{roomId}/bans/{userId}", "rooms/{room}/bans/{banned}", Need.RemoveOther, 204),
        new("POST", "/rooms/{roomId}/owner", "rooms/{room}/owner", Need.OwnerOnly, 200) { Body = new { userId = "{member}" }, FreshRoom = true },
        new("POST", "/rooms/{roomId}/invites", "rooms/{room}/invites", Need.AddMember, 201) { Body = new { maxUses = 5 } },
        new("GET", "/rooms/{roomId}/invites", "rooms/{room}/invites", Need.AddMember, 200),
        new("DELETE", "/rooms/{roomId}/invites/{token}", "rooms/{room}/invites/{invite}", Need.AddMember, 204),
        new("POST", "/rooms/{roomId}/messages/{messageId}/reports", "rooms/{room}/messages/{message}/reports", Need.Reader, 202) { Body = new { reason = "spam" } },
        new("POST", "/users/me/blocks", "users/me/blocks", Need.SignedIn, 201) { Body = new { userId = "{newUser}" } },
        new("GET", "/users/me/blocks", "users/me/blocks", Need.SignedIn, 200),
        new("DELETE", "/users/me/blocks/{userId}", "users/me/blocks/{blocked}", Need.SignedIn, 204),
        new("POST", "/invites/{token}/accept", "invites/{inviteToken}/accept", Need.SignedIn, 200),
    ];

    /// <summary>The permissions a role holds in a room of <paramref name="kind"/> (API.md §3: the owner holds every one).</summary>
    public static string[] PermissionsOf(Role role, RoomKind kind) => role switch
    {
        Role.Owner or Role.MemberWith => AllPermissions,
        Role.DefaultMember => Defaults(kind.Type),
        _ => [],
    };

    /// <summary>The status API.md prescribes for <paramref name="role"/> calling <paramref name="rule"/> in a room of <paramref name="kind"/>.</summary>
    public static int Expected(Rule rule, Role role, RoomKind kind)
    {
        if (role == Role.Anonymous)
            return 401;                                     // §1: every route needs an authenticated caller
        if (rule.Need == Need.SignedIn)
            return rule.Success;
        var member = role is not Role.Outsider;
        if (!member && !kind.IsPublic)
            return 404;                                     // §2: a non-member of a non-public room gets 404, never 403
        var holds = rule.Permission is { } p && PermissionsOf(role, kind).Contains(p);
        var forbiddenUnlessMember = member ? rule.Success : 403; // §3: posting or reacting needs joining
        return rule.Need switch
        {
            Need.Reader => rule.Success,                    // §3: public rooms are read by any authenticated user
            Need.Join => rule.Success,                      // §4: public → 200; already a member → 200, no change
            Need.Member => forbiddenUnlessMember,
            Need.Permission => member && holds ? rule.Success : 403,
            Need.AddMember => member && !kind.IsPrivateMessages && PermissionsOf(role, kind).Contains("can_add_users") ? rule.Success : 403,
            Need.OwnerOnly => role == Role.Owner ? rule.Success : 403,
            Need.OwnSettings => member ? rule.Success : 404, // "me" is no member of the room
            Need.OthersSettings => 403,                     // §3: changed by that member only
            Need.Leave => !member ? 404 : kind.IsPrivateMessages ? 403 : role == Role.Owner ? 409 : rule.Success,
            Need.Pin => member && (kind.IsPrivateMessages || holds) ? rule.Success : 403,
            Need.RemoveOther or Need.RemoveOwner =>
                !member || kind.IsPrivateMessages || !PermissionsOf(role, kind).Contains("can_remove_users") ? 403 : rule.Success,
            _ => throw new InvalidOperationException($"No expectation for {rule.Need}."),
        };
    }

    public static Rule Find(string name) => Table.Single(r => r.Name == name);

    /// <summary>Every case of the matrix: the rule, the room, the caller.</summary>
    public static IEnumerable<object[]> Cases()
    {
        foreach (var rule in Table)
        {
            if (rule.Need == Need.SignedIn)
            {
                yield return [rule.Name, "none", Role.Anonymous];
                yield return [rule.Name, "none", Role.Outsider];
                continue;
            }

            foreach (var kind in RoomKind.All.Where(rule.AppliesTo))
            {
                foreach (var role in kind.Roles)
                    yield return [rule.Name, kind.Key, role];
            }
        }
    }
}
