using System.Security.Claims;

namespace DfChat.Options;

/// <summary>The options of the chat module.</summary>
/// <remarks>Configure them in <c>AddDfChat&lt;TUser&gt;(o =&gt; …)</c> or bind them from configuration; they are validated at start.</remarks>
/// <example>
/// <code>
/// builder.Services.AddDfChat&lt;AppUser&gt;(o =&gt;
/// {
///     o.MaxMessageLength = 2000;
///     o.Reactions.AllowAnyEmoji = true;
/// });
/// </code>
/// </example>
public sealed class DfChatOptions
{
    /// <summary>Which reaction values are accepted.</summary>
    public ReactionOptions Reactions { get; set; } = new();

    /// <summary>Uploads: size limit and allowed types.</summary>
    public MediaOptions Media { get; set; } = new();

    /// <summary>The event log: how long events are kept for catch-up.</summary>
    public EventOptions Events { get; set; } = new();

    /// <summary>Delivery to the hub's connections.</summary>
    public RealTimeOptions RealTime { get; set; } = new();

    /// <summary>The write pipeline: batching, retries and how long a write may wait.</summary>
    public WriteOptions Writes { get; set; } = new();

    /// <summary>Per-user limits on sends and uploads.</summary>
    public RateLimitOptions RateLimits { get; set; } = new();

    /// <summary>Presence: when a user counts as online (API.md §8).</summary>
    public PresenceOptions Presence { get; set; } = new();

    /// <summary>The longest message text, in UTF-16 code units. Default 4,000.</summary>
    public int MaxMessageLength { get; set; } = 4000;

    /// <summary>The page size when a request gives no <c>limit</c>. Default 50.</summary>
    public int DefaultPageSize { get; set; } = 50;

    /// <summary>The largest <c>limit</c> a request may ask for. Default 100.</summary>
    public int MaxPageSize { get; set; } = 100;

    /// <summary>The claim holding the caller's user id. Default <see cref="ClaimTypes.NameIdentifier"/>.</summary>
    public string UserIdClaimType { get; set; } = ClaimTypes.NameIdentifier;

    /// <summary>
    /// What erasing a user (<c>IChatUserData.EraseAsync</c>) does with their messages. Default
    /// <see cref="ErasedUserMessages.Anonymize"/>.
    /// </summary>
    public ErasedUserMessages ErasedUserMessages { get; set; } = ErasedUserMessages.Anonymize;

    /// <summary>
    /// How many rows (reactions, messages) erasing a user changes in one transaction, so that an erasure
    /// never holds a room's lock for long. Default 200.
    /// </summary>
    public int ErasureBatchSize { get; set; } = 200;
}

/// <summary>The reaction policy: a value is accepted if any enabled rule accepts it.</summary>
public sealed class ReactionOptions
{
    /// <summary>The default fixed list: <c>like</c>, <c>dislike</c>.</summary>
    public static IReadOnlyList<string> DefaultAllowed { get; } = ["like", "dislike"];

    /// <summary>
    /// A fixed list of accepted values. Null means <see cref="DefaultAllowed"/>; a configured list
    /// replaces the default rather than adding to it, and an empty list accepts no fixed value.
    /// </summary>
    public IList<string>? Allowed { get; set; }

    /// <summary>Accept any single emoji (one grapheme cluster). Default false.</summary>
    public bool AllowAnyEmoji { get; set; }

    /// <summary>Accept any text up to <see cref="MaxCustomTextLength"/>. Default false.</summary>
    public bool AllowCustomText { get; set; }

    /// <summary>The longest custom text reaction. Default 32.</summary>
    public int MaxCustomTextLength { get; set; } = 32;

    /// <summary>The fixed list in effect.</summary>
    public IReadOnlyList<string> EffectiveAllowed => Allowed is null ? DefaultAllowed : Allowed.ToArray();
}

/// <summary>Upload limits.</summary>
public sealed class MediaOptions
{
    /// <summary>The default allowed types: raster images, audio, video and PDF.</summary>
    public static IReadOnlyList<string> DefaultAllowedContentTypes { get; } =
    [
        "image/jpeg", "image/png", "image/gif", "image/webp", "image/bmp", "image/avif",
        "audio/*", "video/*", "application/pdf",
    ];

    /// <summary>The largest file in bytes; a file of exactly this size is accepted. Default 10 MiB.</summary>
    public long MaxFileSize { get; set; } = 10 * 1024 * 1024;

    /// <summary>
    /// Allowed content types; <c>type/*</c> allows a whole family. Null means
    /// <see cref="DefaultAllowedContentTypes"/>. SVG is refused whatever this says: it can carry script.
    /// </summary>
    public IList<string>? AllowedContentTypes { get; set; }

    /// <summary>
    /// The most uploads a user may hold that are not yet attached to a message or used as a room's avatar.
    /// One more is 429 with <c>Retry-After</c> (until the oldest of them expires). Default 100.
    /// </summary>
    /// <remarks>Together with <see cref="MaxUnattachedBytes"/> and <see cref="UnattachedLifetime"/>, it bounds what one user can store without sending it.</remarks>
    public int MaxUnattachedUploads { get; set; } = 100;

    /// <summary>The most bytes of such unattached uploads a user may hold; over it is 429 with <c>Retry-After</c>. Default 200 MiB.</summary>
    public long MaxUnattachedBytes { get; set; } = 200L * 1024 * 1024;

    /// <summary>
    /// How long an upload may stay unattached. Afterwards it can no longer be sent or made an avatar
    /// (400), and a background sweep removes it, file included. Default 24 hours.
    /// </summary>
    public TimeSpan UnattachedLifetime { get; set; } = TimeSpan.FromHours(24);

    /// <summary>The allowed types in effect.</summary>
    public IReadOnlyList<string> EffectiveAllowedContentTypes =>
        AllowedContentTypes is null ? DefaultAllowedContentTypes : AllowedContentTypes.ToArray();
}

/// <summary>The event log (the outbox), which clients read to catch up after a reconnect.</summary>
public sealed class EventOptions
{
    /// <summary>
    /// How long a published event stays readable through <c>GET /rooms/{roomId}/events</c>; asking for
    /// an older one answers 410, and the client reloads the room. Default 7 days.
    /// </summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// How many times a host's <c>IChatEventListener</c> is called with one event before the event is
    /// parked for it (an error log with event id 1011 and the counter <c>dfchat.events.listener_parked</c>
    /// of meter <c>DfChat</c>). Default 5.
    /// </summary>
    public int ListenerAttempts { get; set; } = 5;

    /// <summary>The delay before a failed listener call is tried again, doubled at each attempt (up to 30 s). Default 200 ms.</summary>
    public TimeSpan ListenerRetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);
}

/// <summary>Delivery of events to the hub's connections.</summary>
/// <remarks>
/// Each connection has its own bounded queue of outgoing events, written by its own loop, so that a
/// client that stops reading its socket delays nobody else; such a connection is closed, and its
/// client catches up from <c>GET /rooms/{roomId}/events</c> when it reconnects.
/// </remarks>
public sealed class RealTimeOptions
{
    /// <summary>
    /// The most events waiting to be written to one connection. An event that finds its connection's
    /// queue full closes that connection (it would otherwise miss the event). Default 1,000.
    /// </summary>
    public int ConnectionQueueCapacity { get; set; } = 1000;

    /// <summary>
    /// How long a connection's queue may stay stuck, events waiting while a write to the client does not
    /// complete, before the connection is closed. Default 5 seconds.
    /// </summary>
    public TimeSpan ConnectionStallTimeout { get; set; } = TimeSpan.FromSeconds(5);
}

/// <summary>The write pipeline: concurrent writes of a room commit together in one transaction.</summary>
public sealed class WriteOptions
{
    /// <summary>The most writes committed in one transaction. Default 64.</summary>
    public int MaxBatchSize { get; set; } = 64;

    /// <summary>How many times a batch is tried when the database reports a transient failure (deadlock, busy, lost connection). Default 5.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>How long a write may wait for its turn before it answers 503 with <c>Retry-After</c> (it is then never applied). Default 15 seconds.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(15);
}

/// <summary>Presence: a user is online while one of its hub connections is open on any node.</summary>
public sealed class PresenceOptions
{
    /// <summary>
    /// How long a user stays online after its last connection closed, so that a page reload (close, then
    /// open again) is not an offline/online flap. Default 5 seconds.
    /// </summary>
    public TimeSpan GracePeriod { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>With Redis, how often each node tells the others it is alive. Default 5 seconds.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// With Redis, how long a node may stay silent before the others count it dead and its users offline
    /// (unless connected elsewhere). Default 20 seconds.
    /// </summary>
    public TimeSpan NodeTimeout { get; set; } = TimeSpan.FromSeconds(20);
}
