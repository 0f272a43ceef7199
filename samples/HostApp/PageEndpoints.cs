using DfChat.Options;
using Microsoft.Extensions.Options;

namespace HostApp;

/// <summary>What the sample page needs to know of this host's chat options, which the chat's own routes do not say.</summary>
internal static class PageEndpoints
{
    /// <summary>
    /// Maps <c>GET /page/settings</c>: the reaction policy (so that the page offers only reactions the chat
    /// accepts) and the longest message. Anonymous: options are no secret, and the sign-in page reads them too.
    /// </summary>
    public static IEndpointRouteBuilder MapPageSettings(this IEndpointRouteBuilder app)
    {
        app.MapGet("/page/settings", GetSettings)
            .WithName("GetPageSettings")
            .WithSummary("The chat options the sample page follows: allowed reactions and the longest message.")
            .WithTags("Sample page");
        return app;
    }

    /// <summary>The page's settings.</summary>
    /// <param name="Reactions">The reaction policy (API.md §4, Reactions).</param>
    /// <param name="MaxMessageLength">The longest message text.</param>
    internal sealed record PageSettings(PageReactions Reactions, int MaxMessageLength);

    /// <summary>The reaction policy as the page shows it.</summary>
    /// <param name="Allowed">The fixed list of accepted values.</param>
    /// <param name="AllowAnyEmoji">Whether any single emoji is accepted.</param>
    /// <param name="AllowCustomText">Whether any short text is accepted.</param>
    /// <param name="MaxCustomTextLength">The longest custom text.</param>
    internal sealed record PageReactions(IReadOnlyList<string> Allowed, bool AllowAnyEmoji, bool AllowCustomText, int MaxCustomTextLength);

    private static PageSettings GetSettings(IOptionsMonitor<DfChatOptions> options)
    {
        var chat = options.CurrentValue;
        var reactions = chat.Reactions;
        return new PageSettings(
            new PageReactions(reactions.EffectiveAllowed, reactions.AllowAnyEmoji, reactions.AllowCustomText, reactions.MaxCustomTextLength),
            chat.MaxMessageLength);
    }
}
