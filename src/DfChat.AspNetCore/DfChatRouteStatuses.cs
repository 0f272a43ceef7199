using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace DfChat.AspNetCore;

/// <summary>
/// Every status a chat route can answer besides its success, in one table keyed by method and route
/// (API.md §2 and §4), so that the OpenAPI document tells a client generator the whole truth.
/// </summary>
internal static class DfChatRouteStatuses
{
    /// <summary>Any route: no authenticated caller, or the database unavailable (with <c>Retry-After</c>).</summary>
    private static readonly int[] Always = [StatusCodes.Status401Unauthorized, StatusCodes.Status503ServiceUnavailable];

    /// <summary>A route reading a JSON body: invalid input, a body over 1 MiB, a content type other than JSON.</summary>
    private static readonly int[] JsonBody = [StatusCodes.Status400BadRequest, StatusCodes.Status413PayloadTooLarge, StatusCodes.Status415UnsupportedMediaType];

    private const int Invalid = StatusCodes.Status400BadRequest;
    private const int Forbidden = StatusCodes.Status403Forbidden;
    private const int NotFound = StatusCodes.Status404NotFound;
    private const int Conflict = StatusCodes.Status409Conflict;
    private const int Gone = StatusCodes.Status410Gone;
    private const int TooLarge = StatusCodes.Status413PayloadTooLarge;
    private const int UnsupportedType = StatusCodes.Status415UnsupportedMediaType;
    private const int TooMany = StatusCodes.Status429TooManyRequests;

    /// <summary>
    /// The problem statuses of each route beyond <see cref="Always"/>. Ids in paths count as input:
    /// one holding U+0000 is a 400 like any other text.
    /// </summary>
    private static readonly Dictionary<string, int[]> ByRoute = new(StringComparer.Ordinal)
    {
        ["GET /users/me"] = [],
        ["GET /users/me/export"] = [],
        ["GET /users"] = [Invalid],
        ["GET /users/{userId}"] = [Invalid, NotFound],
        ["GET /rooms"] = [Invalid],
        ["GET /rooms/public"] = [Invalid],
        ["POST /rooms"] = [.. JsonBody, Forbidden],
        ["GET /rooms/{roomId}"] = [Invalid, NotFound],
        ["PATCH /rooms/{roomId}"] = [.. JsonBody, Forbidden, NotFound],
        ["DELETE /rooms/{roomId}"] = [Invalid, Forbidden, NotFound],
        ["POST /rooms/{roomId}/join"] = [Invalid, Forbidden, NotFound, UnsupportedType],
        ["POST /rooms/{roomId}/read"] = [.. JsonBody, Forbidden, NotFound],
        ["GET /rooms/{roomId}/events"] = [Invalid, NotFound, Gone],
        ["GET /rooms/{roomId}/users"] = [Invalid, NotFound],
        ["POST /rooms/{roomId}/users"] = [.. JsonBody, Forbidden, NotFound, Conflict],
        ["GET /rooms/{roomId}/users/{userId}"] = [Invalid, NotFound],
        ["PATCH /rooms/{roomId}/users/{userId}"] = [.. JsonBody, Forbidden, NotFound, Conflict],
        ["DELETE /rooms/{roomId}/users/{userId}"] = [Invalid, Forbidden, NotFound, Conflict],
        ["GET /rooms/{roomId}/messages"] = [Invalid, NotFound],
        ["POST /rooms/{roomId}/messages"] = [.. JsonBody, Forbidden, NotFound, TooMany],
        ["GET /rooms/{roomId}/messages/{messageId}"] = [Invalid, NotFound],
        ["PATCH /rooms/{roomId}/messages/{messageId}"] = [.. JsonBody, Forbidden, NotFound],
        ["DELETE /rooms/{roomId}/messages/{messageId}"] = [Invalid, Forbidden, NotFound],
        ["GET /rooms/{roomId}/messages/{messageId}/reactions"] = [Invalid, NotFound],
        ["POST /rooms/{roomId}/messages/{messageId}/reactions"] = [.. JsonBody, Forbidden, NotFound],
        ["GET /rooms/{roomId}/messages/{messageId}/thread"] = [Invalid, NotFound],
        ["POST /rooms/{roomId}/messages/{messageId}/pin"] = [Invalid, Forbidden, NotFound, Conflict, UnsupportedType],
        ["DELETE /rooms/{roomId}/messages/{messageId}/pin"] = [Invalid, Forbidden, NotFound],
        ["GET /rooms/{roomId}/pins"] = [Invalid, NotFound],
        ["GET /rooms/{roomId}/messages/{messageId}/history"] = [Invalid, NotFound],
        ["GET /rooms/{roomId}/messages/{messageId}/readers"] = [Invalid, NotFound],
        ["GET /reactions"] = [Invalid],
        ["GET /reactions/{reactionId}"] = [Invalid, NotFound],
        ["DELETE /reactions/{reactionId}"] = [Invalid, Forbidden, NotFound],
        ["POST /media"] = [Invalid, TooLarge, UnsupportedType, TooMany],
        ["GET /media/{mediaId}"] = [Invalid, NotFound],
        ["GET /search/messages"] = [Invalid, NotFound],

        // 206 and 416 of range requests are described by DfChatOpenApi: they carry no problem details.
        ["GET /media/{mediaId}/content"] = [Invalid, NotFound],

        // Moderation (API.md §9).
        ["POST /rooms/{roomId}/bans"] = [.. JsonBody, Forbidden, NotFound, Conflict],
        ["GET /rooms/{roomId}/bans"] = [Invalid, Forbidden, NotFound],
        ["DELETE /rooms/{roomId}/bans/{userId}"] = [Invalid, Forbidden, NotFound],
        ["POST /users/me/blocks"] = [.. JsonBody],
        ["GET /users/me/blocks"] = [Invalid],
        ["DELETE /users/me/blocks/{userId}"] = [Invalid, NotFound],
        ["POST /rooms/{roomId}/owner"] = [.. JsonBody, Forbidden, NotFound],
        ["POST /rooms/{roomId}/invites"] = [.. JsonBody, Forbidden, NotFound],
        ["GET /rooms/{roomId}/invites"] = [Invalid, Forbidden, NotFound],
        ["DELETE /rooms/{roomId}/invites/{token}"] = [Invalid, Forbidden, NotFound],
        ["POST /invites/{token}/accept"] = [Invalid, NotFound, Conflict, UnsupportedType],
        ["POST /rooms/{roomId}/messages/{messageId}/reports"] = [.. JsonBody, NotFound],
    };

    /// <summary>The routes of the table, for tests that compare it with what is mapped.</summary>
    public static IReadOnlyCollection<string> Routes => ByRoute.Keys;

    /// <summary>Every problem status of a route of the table, <see cref="Always"/> included, for tests of the document.</summary>
    public static IEnumerable<int> Of(string method, string pattern) => ByRoute[$"{method} {pattern}"].Concat(Always).Distinct().Order();

    /// <summary>Declares the route's problem statuses on its endpoint; a route missing from the table is a bug.</summary>
    public static RouteHandlerBuilder ProducesChatProblems(this RouteHandlerBuilder builder, string method, string pattern)
    {
        if (!ByRoute.ContainsKey($"{method} {pattern}"))
            throw new InvalidOperationException($"{method} {pattern} has no entry in {nameof(DfChatRouteStatuses)}: list the statuses it can answer.");
        foreach (var status in Of(method, pattern))
        {
            if (status == StatusCodes.Status400BadRequest)
                builder.ProducesValidationProblem();
            else
                builder.ProducesProblem(status);
        }

        return builder;
    }
}
