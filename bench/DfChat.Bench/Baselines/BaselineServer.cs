using System.Security.Claims;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace DfChat.Bench.Baselines;

/// <summary>
/// The baselines as a minimal Kestrel app, run by the bench as a separate process (like the sample host), so
/// that both sides pay for HTTP, JSON and a process of their own:
/// <list type="bullet">
/// <item><c>POST /empty</c>: reads the body and answers 201 with a small JSON, no database (HTTP's own ceiling);</item>
/// <item><c>POST /rooms/{roomId}/messages</c>: one raw INSERT per transaction, writers concurrent;</item>
/// <item><c>POST /one-writer/rooms/{roomId}/messages</c>: the same, one writer at a time (SQLite);</item>
/// <item><c>GET /empty</c>: a small JSON, no database (HTTP's own ceiling for a read);</item>
/// <item><c>GET /rooms/{roomId}/messages?limit=&amp;before=</c>: a page of messages read raw from the database
/// given (the sample host's own, in the read scenario; see <see cref="RawMessageReader"/>);</item>
/// <item><c>/hub</c> and <c>POST /broadcast/{group}</c>: a bare SignalR hub broadcasting a payload to a group.</item>
/// <item>With <c>--bearer</c> only: <c>GET /authenticated/rooms/{roomId}/messages?limit=</c>, DfChat's page as the same
/// JSON bytes from the same statements (<see cref="RawConversationPage"/>), behind the sample host's
/// authentication: ASP.NET Core Identity's bearer-token handler (scheme <c>Identity.Bearer</c>), its tokens
/// read with the host's data-protection keys (the same key ring, and the host's content root given as
/// <c>--contentRoot</c>, which names the application the keys protect for), and the authorization middleware
/// requiring an authenticated user.</item>
/// </list>
/// The other routes have no authentication: they are the floors DfChat's routes are measured against (with
/// <c>--bearer</c>, their requests pass the authentication middleware, which finds no token and lets them by).
/// </summary>
internal static class BaselineServer
{
    public const string Command = "serve-baseline";

    /// <summary>The channel prefix of the bare hub's Redis backplane, apart from the sample host's (<c>dfchat</c>).</summary>
    public const string BareHubChannelPrefix = "benchbare";

    /// <summary>Arguments: <c>serve-baseline --provider sqlite|postgres --database CONNECTION [--redis HOST:PORT] [--bearer --contentRoot HOSTDIR] --urls URL</c>.</summary>
    public static async Task RunAsync(string[] args)
    {
        var provider = Argument(args, "--provider");
        var database = Argument(args, "--database");
        // A flag without a value would throw the host's command-line configuration off: it is taken out.
        var bearer = args.Contains("--bearer");
        var builder = WebApplication.CreateBuilder([.. args[1..].Where(a => a != "--bearer")]);
        if (bearer)
        {
            builder.Services.AddAuthentication(IdentityConstants.BearerScheme).AddBearerToken(IdentityConstants.BearerScheme);
            builder.Services.AddAuthorization();
        }

        var signalR = builder.Services.AddSignalR();
        if (args.Contains("--redis"))
            signalR.AddStackExchangeRedis(Argument(args, "--redis"), o => o.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal(BareHubChannelPrefix));
        var app = builder.Build();

        // Neither store connects before its first insert: the fan-out baseline never touches the database.
        await using var concurrent = RawMessageStore.Create(provider, database, oneWriter: false);
        await using var oneWriter = RawMessageStore.Create(provider, database, oneWriter: true);
        app.MapPost("/empty", (SendBody body) =>
            TypedResults.Created("/empty/1", new RawMessage(1, 1, "bench", body.Text, DateTime.UtcNow)));
        app.MapPost("/rooms/{roomId:long}/messages", (long roomId, SendBody body, HttpContext http) =>
            InsertAsync(concurrent, roomId, body, http));
        app.MapPost("/one-writer/rooms/{roomId:long}/messages", (long roomId, SendBody body, HttpContext http) =>
            InsertAsync(oneWriter, roomId, body, http));
        await using var messages = RawMessageReader.Create(provider, database);
        app.MapGet("/empty", () => TypedResults.Ok(new RawMessage(1, 1, "bench", "", DateTime.UtcNow)));
        app.MapGet("/rooms/{roomId:long}/messages", async Task<IResult> (long roomId, int? limit, long? before, HttpContext http) =>
            await messages.PageAsync(roomId, http.Request.Headers["X-User-Id"].FirstOrDefault() ?? "", limit ?? 50, before, http.RequestAborted) is { } page
                ? TypedResults.Ok(page)
                : TypedResults.NotFound());
        await using var conversationPage = RawConversationPage.Create(provider, database);
        if (bearer)
        {
            app.UseAuthentication();
            app.UseAuthorization();
            app.MapGet("/authenticated/rooms/{roomId:long}/messages", async Task (long roomId, int? limit, HttpContext http) =>
            {
                if (!await conversationPage.WriteAsync(http.Response, roomId, http.User.FindFirstValue(ClaimTypes.NameIdentifier) ?? "", limit ?? 50, null, http.RequestAborted))
                    http.Response.StatusCode = StatusCodes.Status404NotFound;
            }).RequireAuthorization();
        }

        app.MapHub<BareHub>("/hub");
        app.MapPost("/broadcast/{group}", async (string group, HttpRequest request, IHubContext<BareHub> hub, CancellationToken cancellationToken) =>
        {
            using var reader = new StreamReader(request.Body);
            var payload = System.Text.Json.JsonDocument.Parse(await reader.ReadToEndAsync(cancellationToken)).RootElement;
            await hub.Clients.Group(group).SendAsync("messageCreated", payload, cancellationToken);
            return TypedResults.NoContent();
        });
        await app.RunAsync();
    }

    private static async Task<IResult> InsertAsync(RawMessageStore store, long roomId, SendBody body, HttpContext http)
    {
        var userId = http.Request.Headers["X-User-Id"].FirstOrDefault() ?? "bench";
        var createdAt = DateTime.UtcNow;
        var id = await store.InsertAsync(roomId, userId, body.Text ?? "", createdAt, http.RequestAborted);
        return TypedResults.Created($"/rooms/{roomId}/messages/{id}", new RawMessage(id, roomId, userId, body.Text, createdAt));
    }

    private static string Argument(string[] args, string name)
    {
        var at = Array.IndexOf(args, name);
        return at >= 0 && at + 1 < args.Length ? args[at + 1] : throw new ArgumentException($"{Command} needs {name}.");
    }

    /// <summary>The body of a send.</summary>
    internal sealed record SendBody(string? Text);

    /// <summary>What the baseline answers: the stored row.</summary>
    internal sealed record RawMessage(long Id, long RoomId, string UserId, string? Text, DateTime CreatedAt);
}

/// <summary>A hub that does nothing but put a connection into a group.</summary>
internal sealed class BareHub : Hub
{
    public Task Join(string group) => Groups.AddToGroupAsync(Context.ConnectionId, group);
}
