using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using DfChat.AspNetCore;
using DfChat.Tests.Http.Infrastructure;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DfChat.Tests.Http.Authorization;

/// <summary>
/// Every route of API.md × every caller × every room type × public or not, each answering the exact
/// status of <see cref="Rules.Expected"/>; and for a stranger to a non-public room, a 404 that cannot be
/// told apart from the one for a room that never existed.
/// </summary>
public abstract partial class AuthorizationMatrixTests(MatrixApi api) : HttpTestBase(api)
{
    /// <summary>An id no room, message, reaction or media of the test database has.</summary>
    private const string GhostId = "987654321";

    private static readonly string[] UserPlaceholders = ["{member}", "{newUser}", "{victim}", "{owner}", "{banned}"];

    private new MatrixApi Api => (MatrixApi)base.Api;

    public static IEnumerable<object[]> Cases() => Rules.Cases();

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public async Task Route_Caller_AnswersTheContractsStatus(string rule, string room, Role role)
    {
        var route = Rules.Find(rule);
        var kind = room == "none" ? null : RoomKind.Parse(room);
        var expected = kind is null ? Rules.Expected(route, role, RoomKind.All[1]) : Rules.Expected(route, role, kind);
        var cast = await Api.CastAsync();
        var scenario = kind is null ? null : route.FreshRoom ? await Api.FreshAsync(kind) : await Api.SharedAsync(kind);
        var caller = scenario is null ? (role == Role.Anonymous ? null : cast.Outsider) : scenario.Caller(role);
        Dictionary<string, string> values = scenario is null ? await FillSignedInAsync(route, caller) : await FillAsync(route, scenario, role);

        using var response = await SendAsync(caller, route, values);
        var body = await response.Content.ReadAsStringAsync();

        Assert.True(
            (int)response.StatusCode == expected,
            $"{route.Name} by {role} in a {room} room: expected {expected}, got {(int)response.StatusCode}: {body}");
        if (expected >= 400)
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        if (expected == 404 && role == Role.Outsider && kind is { IsPublic: false })
        {
            var ghostValues = values.ToDictionary(v => v.Key, v => UserPlaceholders.Contains(v.Key) ? v.Value : GhostId);
            using var ghost = await SendAsync(caller, route, ghostValues);
            Assert.Equal(404, (int)ghost.StatusCode);
            Assert.Equal(Comparable(await ghost.Content.ReadAsStringAsync()), Comparable(body));
        }
    }

    [SkippableFact]
    public void Table_CoversEveryMappedRoute()
    {
        var mapped = Api.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .Where(e => e.Metadata.GetMetadata<DfChatRoute>() is not null)
            .SelectMany(e => e.Metadata.GetMetadata<HttpMethodMetadata>()!.HttpMethods.Select(m => $"{m} {e.Metadata.GetMetadata<DfChatRoute>()!.Pattern}"))
            .ToHashSet();
        var tabled = Rules.Table.Select(r => $"{r.Method} {r.Pattern}").ToHashSet();

        Assert.NotEmpty(mapped);
        Assert.Empty(mapped.Except(tabled));
        Assert.Empty(tabled.Except(mapped));
    }

    /// <summary>The values of the placeholders <paramref name="route"/> uses; what a case changes is made for it alone.</summary>
    private async Task<Dictionary<string, string>> FillAsync(Rule route, MatrixRoom room, Role role)
    {
        var template = route.Path + (route.Body is { } b && b != Rules.Upload ? JsonSerializer.Serialize(b) : "");
        var member = role is not (Role.Anonymous or Role.Outsider);
        var values = new Dictionary<string, string>();
        foreach (Match match in Placeholder().Matches(template))
        {
            var name = match.Value;
            if (values.ContainsKey(name))
                continue;
            values[name] = name switch
            {
                "{room}" => room.Id,
                "{message}" => room.Message,
                "{ownMessage}" => member ? room.OwnMessage[role] : room.Message,
                "{ownDeletable}" => member ? room.OwnDeletable[role] : room.Message,
                "{othersDeletable}" => await room.Bystander.SendIdAsync(room.Id, "another member's, to delete"),
                "{member}" => room.Bystander.Id,
                "{owner}" => room.Owner!.Id,
                "{newUser}" => (await Api.CreateUserAsync("new")).Id,
                "{victim}" => room.Owner is { } owner ? (await owner.AddMemberAsync(room.Id, await Api.CreateUserAsync("victim"))).Str("userId") : room.Bystander.Id,
                "{reaction}" => room.Reaction,
                "{ownReaction}" => member ? room.OwnReaction[role] : room.Reaction,
                "{othersReaction}" => (await room.Bystander.ReactAsync(room.Id, await room.Bystander.SendIdAsync(room.Id, "to react to"), "like")).Str("id"),
                "{media}" => room.Media,
                "{banned}" => room.Owner is { } banning ? await BanNewUserAsync(banning, room.Id) : (await Api.CreateUserAsync("banned")).Id,
                "{invite}" => room.Owner is { } inviting ? (await InviteAsync(inviting, room.Id)).Str("id") : GhostId,
                _ => throw new InvalidOperationException($"Unknown placeholder {name} in {route.Name}."),
            };
        }

        return values;
    }

    /// <summary>The placeholders of a route that concerns no room: a user to block or the caller blocked, another user's room's invitation.</summary>
    private async Task<Dictionary<string, string>> FillSignedInAsync(Rule route, ChatUser? caller)
    {
        var values = new Dictionary<string, string>();
        var template = route.Path + (route.Body is { } b && b != Rules.Upload ? JsonSerializer.Serialize(b) : "");
        foreach (Match match in Placeholder().Matches(template))
        {
            values[match.Value] = match.Value switch
            {
                "{newUser}" => (await Api.CreateUserAsync("new")).Id,
                "{blocked}" => await BlockNewUserAsync(caller),
                "{inviteToken}" => (await InviteAsync(await Api.CreateUserAsync("inviting"), null)).Str("token"),
                var name => throw new InvalidOperationException($"Unknown placeholder {name} in {route.Name}."),
            };
        }

        return values;
    }

    private async Task<string> BanNewUserAsync(ChatUser moderator, string roomId)
    {
        var banned = await Api.CreateUserAsync("banned");
        await HttpAssert.JsonAsync(await moderator.PostAsync($"rooms/{roomId}/bans", new { userId = banned.Id }), System.Net.HttpStatusCode.Created);
        return banned.Id;
    }

    private async Task<string> BlockNewUserAsync(ChatUser? caller)
    {
        var blocked = await Api.CreateUserAsync("blocked");
        if (caller is not null)
            await HttpAssert.JsonAsync(await caller.PostAsync("users/me/blocks", new { userId = blocked.Id }), System.Net.HttpStatusCode.Created);
        return blocked.Id;
    }

    /// <summary>An invitation to <paramref name="roomId"/>, or to a new group of <paramref name="creator"/>.</summary>
    private static async Task<JsonElement> InviteAsync(ChatUser creator, string? roomId) =>
        await HttpAssert.JsonAsync(
            await creator.PostAsync($"rooms/{roomId ?? await creator.CreateGroupAsync()}/invites", new { }),
            System.Net.HttpStatusCode.Created);

    private async Task<HttpResponseMessage> SendAsync(ChatUser? caller, Rule route, IReadOnlyDictionary<string, string> values)
    {
        var client = caller?.Client ?? Api.CreateAnonymousClient();
        var request = new HttpRequestMessage(new HttpMethod(route.Method), Fill(route.Path, values));
        if (route.Body == Rules.Upload)
        {
            var file = new ByteArrayContent(HttpFiles.Png());
            file.Headers.ContentType = MediaTypeHeaderValue.Parse("image/png");
            request.Content = new MultipartFormDataContent { { file, "file", "picture.png" } };
        }
        else if (route.Body is { } body)
        {
            request.Content = new StringContent(Fill(JsonSerializer.Serialize(body), values), Encoding.UTF8, "application/json");
        }

        return await client.SendAsync(request);
    }

    private static string Fill(string template, IReadOnlyDictionary<string, string> values) =>
        Placeholder().Replace(template, m => values[m.Value]);

    /// <summary>A problem body without what differs between any two requests (the trace id).</summary>
    private static string Comparable(string body)
    {
        var json = JsonNode.Parse(body)!.AsObject();
        json.Remove("traceId");
        return json.ToJsonString();
    }

    [GeneratedRegex(@"\{[a-zA-Z]+\}")]
    private static partial Regex Placeholder();
}

public sealed class SqliteAuthorizationMatrixTests(SqliteMatrixApi api) : AuthorizationMatrixTests(api), IClassFixture<SqliteMatrixApi>;

public sealed class PostgresAuthorizationMatrixTests(PostgresMatrixApi api) : AuthorizationMatrixTests(api), IClassFixture<PostgresMatrixApi>;
