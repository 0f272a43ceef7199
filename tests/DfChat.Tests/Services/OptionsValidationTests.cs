using DfChat.Options;
using DfChat.Tests.Infrastructure;
using Microsoft.Extensions.Options;

namespace DfChat.Tests.Services;

/// <summary>Invalid options fail at start, naming the option to fix.</summary>
public abstract class OptionsValidationTests(ServiceDatabase database) : DatabaseTestBase(database)
{
    private OptionsValidationException StartFails(Action<DfChatOptions> configure)
    {
        var exception = Record.Exception(() => ChatTestHost.Create(Database, configure));
        return Assert.IsType<OptionsValidationException>(exception);
    }

    [SkippableFact]
    public void Start_MaxPageSizeZero_FailsNamingMaxPageSize()
    {
        var exception = StartFails(o => o.MaxPageSize = 0);

        Assert.Contains(exception.Failures, f => f.Contains("MaxPageSize", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Start_DefaultPageSizeOverMax_FailsNamingDefaultPageSize()
    {
        var exception = StartFails(o => { o.MaxPageSize = 20; o.DefaultPageSize = 21; });

        Assert.Contains(exception.Failures, f => f.Contains("DefaultPageSize", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Start_EmptyReactionPolicy_FailsNamingReactions()
    {
        var exception = StartFails(o => o.Reactions.Allowed = []);

        Assert.Contains(exception.Failures, f => f.Contains("Reactions", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Start_SvgAllowed_FailsNamingAllowedContentTypes()
    {
        var exception = StartFails(o => o.Media.AllowedContentTypes = ["image/png", "image/svg+xml"]);

        Assert.Contains(exception.Failures, f => f.Contains("AllowedContentTypes", StringComparison.Ordinal) && f.Contains("svg", StringComparison.Ordinal));
    }

    [SkippableTheory]
    [InlineData(0, 30, "MessagesPerMinute")]
    [InlineData(-5, 30, "MessagesPerMinute")]
    [InlineData(120, 0, "UploadsPerMinute")]
    [InlineData(120, 2_000_000, "UploadsPerMinute")]
    public void Start_RateLimitOutOfRange_FailsNamingIt(int messages, int uploads, string option)
    {
        var exception = StartFails(o => { o.RateLimits.MessagesPerMinute = messages; o.RateLimits.UploadsPerMinute = uploads; });

        Assert.Contains(exception.Failures, f => f.Contains("RateLimits:" + option, StringComparison.Ordinal));
    }

    [SkippableTheory]
    [InlineData("MaxUnattachedUploads")]
    [InlineData("MaxUnattachedBytes")]
    [InlineData("UnattachedLifetime")]
    public void Start_UnattachedLimitOutOfRange_FailsNamingIt(string option)
    {
        var exception = StartFails(o =>
        {
            switch (option)
            {
                case "MaxUnattachedUploads": o.Media.MaxUnattachedUploads = 0; break;
                case "MaxUnattachedBytes": o.Media.MaxUnattachedBytes = o.Media.MaxFileSize - 1; break;
                default: o.Media.UnattachedLifetime = TimeSpan.FromSeconds(59); break;
            }
        });

        Assert.Contains(exception.Failures, f => f.Contains(option, StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Start_MaxMessageLengthZero_FailsNamingMaxMessageLength()
    {
        var exception = StartFails(o => o.MaxMessageLength = 0);

        Assert.Contains(exception.Failures, f => f.Contains("MaxMessageLength", StringComparison.Ordinal));
    }

    [SkippableFact]
    public void Start_EmptyAllowedValue_FailsNamingAllowed()
    {
        var exception = StartFails(o => o.Reactions.Allowed = ["like", " "]);

        Assert.Contains(exception.Failures, f => f.Contains("Reactions:Allowed", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task Start_EmptyListWithAnyEmoji_Starts()
    {
        await using var host = ChatTestHost.Create(Database, o => { o.Reactions.Allowed = []; o.Reactions.AllowAnyEmoji = true; });

        Assert.NotNull(host.Services);
    }

    [SkippableFact]
    public async Task Start_DefaultOptions_Start()
    {
        await using var host = ChatTestHost.Create(Database);

        Assert.NotNull(host.Services);
    }
}

public sealed class SqliteOptionsValidationTests(SqliteServiceDatabase database) : OptionsValidationTests(database), IClassFixture<SqliteServiceDatabase>;

public sealed class PostgresOptionsValidationTests(PostgresServiceDatabase database) : OptionsValidationTests(database), IClassFixture<PostgresServiceDatabase>;
