using DfChat.AspNetCore;
using DfChat.AspNetCore.RealTime;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Microsoft.AspNetCore.Routing;

/// <summary>Maps the chat's HTTP endpoints.</summary>
public static class DfChatEndpointRouteBuilderExtensions
{
    /// <summary>
    /// Maps every chat route of the contract and the SignalR hub (at <c>/hub</c>) under the caller's
    /// prefix. Every route needs an authenticated caller (401 otherwise), taken from the host's own
    /// authentication.
    /// </summary>
    /// <param name="endpoints">Where to map, usually a group that sets the prefix.</param>
    /// <returns>A builder to add conventions (authorization policies, rate limits) to every chat endpoint.</returns>
    /// <example>
    /// <code>
    /// app.MapGroup("/api/chat").MapDfChat();
    /// </code>
    /// </example>
    public static IEndpointConventionBuilder MapDfChat(this IEndpointRouteBuilder endpoints)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        var group = endpoints.MapGroup("");
        group.AddEndpointFilter(ChatHttp.AuthenticateAsync);
        group.AddEndpointFilterFactory(ChatRequestRules.Create);
        var map = new ChatRouteMapper(group);
        UserEndpoints.Map(map);
        RoomEndpoints.Map(map);
        MemberEndpoints.Map(map);
        MessageEndpoints.Map(map);
        ReactionEndpoints.Map(map);
        ConversationEndpoints.Map(map);
        MediaEndpoints.Map(map);
        BanEndpoints.Map(map);
        BlockEndpoints.Map(map);
        RoomOwnerEndpoints.Map(map);
        InviteEndpoints.Map(map);
        ReportEndpoints.Map(map);
        SearchEndpoints.Map(map);
        group.MapHub<ChatHub>("/hub").RequireAuthorization();
        return new DfChatEndpointConventionBuilder(group);
    }

    /// <summary>Hides the group so that hosts add conventions but cannot map into the chat's namespace.</summary>
    private sealed class DfChatEndpointConventionBuilder(IEndpointConventionBuilder inner) : IEndpointConventionBuilder
    {
        public void Add(Action<EndpointBuilder> convention) => inner.Add(convention);

        public void Finally(Action<EndpointBuilder> finallyConvention) => inner.Finally(finallyConvention);
    }
}
