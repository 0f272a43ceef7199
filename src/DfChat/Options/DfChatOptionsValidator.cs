using DfChat.Services;
using Microsoft.Extensions.Options;

namespace DfChat.Options;

/// <summary>Checks <see cref="DfChatOptions"/> at start, with messages that say what to fix.</summary>
internal sealed class DfChatOptionsValidator : IValidateOptions<DfChatOptions>
{
    /// <summary>Beyond a million a minute a limit means nothing; to lift the limits, set Enabled to false.</summary>
    private const int MaxPerMinute = 1_000_000;

    public ValidateOptionsResult Validate(string? name, DfChatOptions options)
    {
        var failures = new List<string>();
        if (options.MaxMessageLength < 1)
            failures.Add($"DfChat:MaxMessageLength must be at least 1 (was {options.MaxMessageLength}).");
        if (options.MaxPageSize < 1)
            failures.Add($"DfChat:MaxPageSize must be at least 1 (was {options.MaxPageSize}).");
        if (options.DefaultPageSize < 1 || options.DefaultPageSize > options.MaxPageSize)
            failures.Add($"DfChat:DefaultPageSize must be between 1 and MaxPageSize ({options.MaxPageSize}) (was {options.DefaultPageSize}).");
        if (string.IsNullOrWhiteSpace(options.UserIdClaimType))
            failures.Add("DfChat:UserIdClaimType must name a claim.");

        var reactions = options.Reactions;
        if (reactions.MaxCustomTextLength < 1)
            failures.Add($"DfChat:Reactions:MaxCustomTextLength must be at least 1 (was {reactions.MaxCustomTextLength}).");
        if (reactions.EffectiveAllowed.Any(string.IsNullOrWhiteSpace))
            failures.Add("DfChat:Reactions:Allowed must not contain empty values.");
        if (reactions.EffectiveAllowed.Count == 0 && !reactions.AllowAnyEmoji && !reactions.AllowCustomText)
            failures.Add("DfChat:Reactions accepts no value: give Allowed values, or set AllowAnyEmoji or AllowCustomText.");

        var media = options.Media;
        if (media.MaxFileSize < 1)
            failures.Add($"DfChat:Media:MaxFileSize must be at least 1 byte (was {media.MaxFileSize}).");
        foreach (var type in media.EffectiveAllowedContentTypes)
        {
            if (string.IsNullOrWhiteSpace(type) || !type.Contains('/', StringComparison.Ordinal))
                failures.Add($"DfChat:Media:AllowedContentTypes holds '{type}', which is not a content type such as image/png or audio/*.");
            else if (MediaSignatures.IsScriptable(type))
                failures.Add($"DfChat:Media:AllowedContentTypes holds '{type}', which can carry script and is never served.");
        }

        if (media.MaxUnattachedUploads < 1)
            failures.Add($"DfChat:Media:MaxUnattachedUploads must be at least 1 (was {media.MaxUnattachedUploads}).");
        if (media.MaxUnattachedBytes < media.MaxFileSize)
            failures.Add($"DfChat:Media:MaxUnattachedBytes must be at least MaxFileSize ({media.MaxFileSize}) (was {media.MaxUnattachedBytes}).");
        if (media.UnattachedLifetime < TimeSpan.FromMinutes(1))
            failures.Add($"DfChat:Media:UnattachedLifetime must be at least one minute (was {media.UnattachedLifetime}).");

        if (options.Events.Retention <= TimeSpan.Zero)
            failures.Add($"DfChat:Events:Retention must be positive (was {options.Events.Retention}).");
        if (options.Events.ListenerAttempts < 1)
            failures.Add($"DfChat:Events:ListenerAttempts must be at least 1 (was {options.Events.ListenerAttempts}).");
        if (options.Events.ListenerRetryDelay < TimeSpan.Zero)
            failures.Add($"DfChat:Events:ListenerRetryDelay must not be negative (was {options.Events.ListenerRetryDelay}).");
        if (options.RealTime.ConnectionQueueCapacity < 1)
            failures.Add($"DfChat:RealTime:ConnectionQueueCapacity must be at least 1 (was {options.RealTime.ConnectionQueueCapacity}).");
        if (options.RealTime.ConnectionStallTimeout <= TimeSpan.Zero)
            failures.Add($"DfChat:RealTime:ConnectionStallTimeout must be positive (was {options.RealTime.ConnectionStallTimeout}).");
        var writes = options.Writes;
        if (options.ErasureBatchSize is < 1 or > 10000)
            failures.Add($"DfChat:ErasureBatchSize must be between 1 and 10000 (was {options.ErasureBatchSize}).");
        if (!Enum.IsDefined(options.ErasedUserMessages))
            failures.Add($"DfChat:ErasedUserMessages must be Anonymize or Delete (was {options.ErasedUserMessages}).");
        if (writes.MaxBatchSize is < 1 or > 1000)
            failures.Add($"DfChat:Writes:MaxBatchSize must be between 1 and 1000 (was {writes.MaxBatchSize}).");
        if (writes.MaxAttempts < 1)
            failures.Add($"DfChat:Writes:MaxAttempts must be at least 1 (was {writes.MaxAttempts}).");
        if (writes.Timeout <= TimeSpan.Zero)
            failures.Add($"DfChat:Writes:Timeout must be positive (was {writes.Timeout}).");

        var limits = options.RateLimits;
        if (limits.MessagesPerMinute is < 1 or > MaxPerMinute)
            failures.Add($"DfChat:RateLimits:MessagesPerMinute must be between 1 and {MaxPerMinute} (was {limits.MessagesPerMinute}).");
        if (limits.UploadsPerMinute is < 1 or > MaxPerMinute)
            failures.Add($"DfChat:RateLimits:UploadsPerMinute must be between 1 and {MaxPerMinute} (was {limits.UploadsPerMinute}).");

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
