namespace DfChat;

/// <summary>The kind of an ordinary failure, which the HTTP layer maps to a status code.</summary>
public enum ChatErrorKind
{
    /// <summary>Invalid input (400).</summary>
    Invalid,

    /// <summary>The caller can see the room but lacks the permission (403).</summary>
    Forbidden,

    /// <summary>It does not exist or the caller may not see it (404).</summary>
    NotFound,

    /// <summary>It conflicts with the current state (409).</summary>
    Conflict,

    /// <summary>An upload is over the size limit (413).</summary>
    TooLarge,

    /// <summary>An upload's type is not allowed or does not match its content (415).</summary>
    UnsupportedType,

    /// <summary>The database is unavailable, or a write could not complete in time (503, with <c>Retry-After</c>).</summary>
    Unavailable,

    /// <summary>What was asked for is older than what is kept (410).</summary>
    Gone,

    /// <summary>The caller is not a user of the host: an id that is not a key of the user type, or a user that no longer exists (401).</summary>
    NotAuthenticated,

    /// <summary>Over a per-user limit (429, with <c>Retry-After</c> from <see cref="ChatError.RetryAfter"/>).</summary>
    TooManyRequests,
}

/// <summary>An ordinary failure of a chat operation, with a stable code.</summary>
/// <param name="Kind">What kind of failure it is.</param>
/// <param name="Code">A stable, machine-readable code such as <c>room_not_found</c>.</param>
/// <param name="Message">A human-readable explanation.</param>
/// <param name="Field">For <see cref="ChatErrorKind.Invalid"/>, the camelCase name of the offending field.</param>
public sealed record ChatError(ChatErrorKind Kind, string Code, string Message, string? Field = null)
{
    /// <summary>For <see cref="ChatErrorKind.TooManyRequests"/>, how long the caller should wait before trying again.</summary>
    public TimeSpan? RetryAfter { get; init; }

    internal static ChatError Invalid(string field, string message) => new(ChatErrorKind.Invalid, "invalid_" + field, message, field);

    internal static ChatError NotFound(string what) => new(ChatErrorKind.NotFound, what + "_not_found", $"The {what.Replace('_', ' ')} does not exist.");

    internal static ChatError Forbidden(string message) => new(ChatErrorKind.Forbidden, "forbidden", message);

    internal static ChatError Conflict(string code, string message) => new(ChatErrorKind.Conflict, code, message);

    internal static readonly ChatError Unavailable = new(ChatErrorKind.Unavailable, "unavailable", "The chat could not complete this now; try again shortly.");

    /// <summary>The user is banned from the room: 409 when someone adds them or they accept an invitation.</summary>
    internal static readonly ChatError Banned = new(ChatErrorKind.Conflict, "banned", "The user is banned from this room.");

    /// <summary>The caller is banned from the room it tries to join (403).</summary>
    internal static readonly ChatError BannedFromJoining = new(ChatErrorKind.Forbidden, "banned", "You are banned from this room.");

    /// <summary>The room is frozen and the caller may not act in it (403).</summary>
    internal static readonly ChatError RoomFrozen = new(ChatErrorKind.Forbidden, "room_frozen", "The room is frozen: only its owner and members with can_edit_room can send, edit or react.");

    /// <summary>The other user blocked the caller (403).</summary>
    internal static readonly ChatError Blocked = new(ChatErrorKind.Forbidden, "blocked", "This user does not accept this from you.");

    internal static readonly ChatError RoomNotFound = NotFound("room");
    internal static readonly ChatError MessageNotFound = NotFound("message");
    internal static readonly ChatError MemberNotFound = NotFound("member");
    internal static readonly ChatError ReactionNotFound = NotFound("reaction");
    internal static readonly ChatError MediaNotFound = NotFound("media");
    /// <summary>The caller is not a user of the host (an id that does not parse as its key, or a deleted user): an authentication problem, 401.</summary>
    internal static readonly ChatError UserNotFound = new(ChatErrorKind.NotAuthenticated, "not_authenticated", "The caller is not a user of this app.");
}

/// <summary>The outcome of a chat operation: a value, or an ordinary failure.</summary>
/// <typeparam name="T">The value's type.</typeparam>
public readonly record struct ChatResult<T>
{
    private ChatResult(T? value, ChatError? error, bool created)
    {
        Value = value;
        Error = error;
        Created = created;
    }

    /// <summary>The value when the operation succeeded.</summary>
    public T? Value { get; }

    /// <summary>The failure, or null when the operation succeeded.</summary>
    public ChatError? Error { get; }

    /// <summary>Whether the operation created something new (201) rather than returning what existed (200).</summary>
    public bool Created { get; }

    /// <summary>Whether the operation succeeded.</summary>
    public bool Succeeded => Error is null;

    /// <summary>A success that returns what already existed or was changed.</summary>
    public static ChatResult<T> Ok(T value) => new(value, null, false);

    /// <summary>A success that created <paramref name="value"/>.</summary>
    public static ChatResult<T> New(T value) => new(value, null, true);

    /// <summary>A failure.</summary>
    public static ChatResult<T> Fail(ChatError error) => new(default, error, false);

    /// <summary>Wraps a failure.</summary>
    public static implicit operator ChatResult<T>(ChatError error) => Fail(error);
}

/// <summary>The outcome of a chat operation that returns nothing.</summary>
public readonly record struct ChatResult
{
    private ChatResult(ChatError? error) => Error = error;

    /// <summary>The failure, or null when the operation succeeded.</summary>
    public ChatError? Error { get; }

    /// <summary>Whether the operation succeeded.</summary>
    public bool Succeeded => Error is null;

    /// <summary>A success.</summary>
    public static ChatResult Ok { get; }

    /// <summary>A failure.</summary>
    public static ChatResult Fail(ChatError error) => new(error);

    /// <summary>Wraps a failure.</summary>
    public static implicit operator ChatResult(ChatError error) => new(error);
}
