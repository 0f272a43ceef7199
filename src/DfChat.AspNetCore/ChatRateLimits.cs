using System.Threading.RateLimiting;
using DfChat.Options;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DfChat.AspNetCore;

/// <summary>What a per-user rate limit counts.</summary>
internal enum ChatRateLimitKind
{
    Messages,
    Uploads,
}

/// <summary>
/// The per-user limits of <see cref="RateLimitOptions"/> (API.md §2): 429 with <c>Retry-After</c> over
/// the limit. They use the token buckets of <c>System.Threading.RateLimiting</c>, as ASP.NET Core's rate
/// limiting middleware does, but as an endpoint filter of the send and upload routes: it runs after the
/// caller is known (the partition is the user), and the host needs no <c>UseRateLimiter()</c>.
/// </summary>
internal sealed class ChatRateLimiter : IDisposable
{
    /// <summary>
    /// One bucket per user and kind; the limit is part of the key, so that changed options take effect
    /// (idle buckets are dropped by the partitioned limiter).
    /// </summary>
    private readonly PartitionedRateLimiter<BucketKey> _buckets = PartitionedRateLimiter.Create<BucketKey, BucketKey>(
        key => RateLimitPartition.GetTokenBucketLimiter(key, k => BucketOf(k.PerMinute)));

    /// <summary>A filter that counts the caller's requests of <paramref name="kind"/>.</summary>
    public static EndpointFilterDelegate Filter(ChatRateLimitKind kind, EndpointFilterDelegate next) => invocation =>
    {
        var http = invocation.HttpContext;
        var limits = http.RequestServices.GetRequiredService<IOptionsMonitor<DfChatOptions>>().CurrentValue.RateLimits;
        if (!limits.Enabled)
            return next(invocation);
        var perMinute = kind == ChatRateLimitKind.Messages ? limits.MessagesPerMinute : limits.UploadsPerMinute;
        var limiter = http.RequestServices.GetRequiredService<ChatRateLimiter>();
        using var lease = limiter._buckets.AttemptAcquire(new BucketKey(kind, perMinute, ChatHttp.Caller(http)));
        if (lease.IsAcquired)
            return next(invocation);

        // A 429 like any other the chat answers: ChatHttp writes its Retry-After.
        var wait = lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromMinutes(1) / perMinute;
        var what = kind == ChatRateLimitKind.Messages ? "messages" : "uploads";
        var error = new ChatError(ChatErrorKind.TooManyRequests, "rate_limited", $"At most {perMinute} {what} a minute: try again after Retry-After seconds.") { RetryAfter = wait };
        return ValueTask.FromResult<object?>(ChatHttp.ToProblem(error));
    };

    /// <summary>
    /// A bucket of a minute's worth that refills at the limit's pace, in steps of at least a second
    /// (the partitioned limiter refills every 100 ms, so shorter steps would drift).
    /// </summary>
    private static TokenBucketRateLimiterOptions BucketOf(int perMinute)
    {
        var tokensPerStep = Math.Max(1, perMinute / 60);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = tokensPerStep,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) * tokensPerStep / perMinute,
            QueueLimit = 0,
            AutoReplenishment = false,
        };
    }

    public void Dispose() => _buckets.Dispose();

    private readonly record struct BucketKey(ChatRateLimitKind Kind, int PerMinute, string UserId);
}
