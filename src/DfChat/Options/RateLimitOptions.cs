namespace DfChat.Options;

/// <summary>
/// Per-user limits on sending messages and uploading files (API.md §2). Over a limit, the route answers
/// 429 with <c>Retry-After</c>.
/// </summary>
/// <remarks>
/// Each user has a bucket per kind that holds a minute's worth of requests and refills at that rate:
/// a burst of up to the limit goes through at once, then requests come at the limit's pace. The
/// limits count per node of a multi-node deployment.
/// </remarks>
/// <example>
/// <code>
/// builder.Services.AddDfChat&lt;AppUser&gt;(o =&gt; o.RateLimits.MessagesPerMinute = 60);
/// // or, for a load test: DfChat__RateLimits__Enabled=false
/// </code>
/// </example>
public sealed class RateLimitOptions
{
    /// <summary>Whether the limits apply. Default true.</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Messages a user may send per minute (<c>POST /rooms/{roomId}/messages</c>). Default 120.</summary>
    public int MessagesPerMinute { get; set; } = 120;

    /// <summary>Files a user may upload per minute (<c>POST /media</c>). Default 30.</summary>
    public int UploadsPerMinute { get; set; } = 30;
}
