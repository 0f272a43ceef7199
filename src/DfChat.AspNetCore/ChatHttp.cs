using System.Globalization;
using System.Security.Claims;
using System.Text.Json;
using DfChat.Options;
using DfChat.Rules;
using DfChat.Services;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.Routing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DfChat.AspNetCore;

/// <summary>The relative route of a chat endpoint, so that the mount prefix can be read off the full route.</summary>
internal sealed record DfChatRoute(string Pattern);

/// <summary>What every chat endpoint shares: the caller, bodies read without 5xx on bad input, and failures as problem details.</summary>
internal static class ChatHttp
{
    /// <summary>No JSON body of the contract comes near this; a larger one is refused before it is buffered.</summary>
    private const int MaxJsonBodySize = 1024 * 1024;

    /// <summary>The caller's user id, from the configured claim.</summary>
    public static string? CallerId(HttpContext http) =>
        http.User.Identity?.IsAuthenticated == true
            ? http.User.FindFirstValue(http.RequestServices.GetRequiredService<IOptionsMonitor<DfChatOptions>>().CurrentValue.UserIdClaimType)
            : null;

    /// <summary>
    /// Sets the caller and learns the mount prefix. 401 when there is no caller, when its id is not a key
    /// of the host's user type, or when a write finds that its user no longer exists.
    /// </summary>
    public static async ValueTask<object?> AuthenticateAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var caller = CallerId(http);
        if (string.IsNullOrEmpty(caller))
            return Problem(StatusCodes.Status401Unauthorized, "not_authenticated", "Sign in to use the chat.");
        if (http.RequestServices.GetRequiredService<IChatMembershipQueries>().CanonicalUserId(caller) is null)
            return ToProblem(ChatError.UserNotFound);

        var mount = http.RequestServices.GetRequiredService<ChatMountPoint>();
        if (!mount.IsKnown && http.GetEndpoint() is RouteEndpoint { RoutePattern.RawText: { } full } endpoint
            && endpoint.Metadata.GetMetadata<DfChatRoute>() is { } route && full.EndsWith(route.Pattern, StringComparison.Ordinal))
        {
            mount.Prefix = http.Request.PathBase + full[..^route.Pattern.Length].TrimEnd('/');
            mount.IsKnown = true;
        }

        DbUpdateException refused;
        try
        {
            var result = await next(context);

            // Handlers return typed unions (Results<…>), whose problem is nested.
            var problem = result as ProblemHttpResult ?? (result as INestedHttpResult)?.Result as ProblemHttpResult;
            if (problem is { StatusCode: StatusCodes.Status503ServiceUnavailable })
                http.Response.Headers.RetryAfter = RetryAfterSeconds;
            else if (problem is { StatusCode: StatusCodes.Status429TooManyRequests, ProblemDetails.Extensions: var extensions }
                && extensions.TryGetValue(RetryAfterExtension, out var seconds))
                http.Response.Headers.RetryAfter = Convert.ToString(seconds, CultureInfo.InvariantCulture);
            return result;
        }
        catch (Exception e) when (DfChat.Writes.TransientFailures.IsUnavailable(e) && !http.RequestAborted.IsCancellationRequested)
        {
            // The database is down or kept failing: a 503 the client may retry, never a 500.
            http.Response.Headers.RetryAfter = RetryAfterSeconds;
            return ToProblem(ChatError.Unavailable);
        }
        catch (DbUpdateException e)
        {
            refused = e;
        }

        // A token may outlive its user: a write then meets the user table's foreign key, which is not a server error.
        if (!await CallerExistsAsync(http, caller))
            return ToProblem(ChatError.UserNotFound);
        System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(refused);
        return null;
    }

    private static async Task<bool> CallerExistsAsync(HttpContext http, string caller) =>
        (await http.RequestServices.GetRequiredService<IChatUserService>().GetMeAsync(caller, CancellationToken.None)).Succeeded;

    /// <summary>What a 503 asks a client to wait before trying again.</summary>
    private const string RetryAfterSeconds = "2";

    private const string RetryAfterExtension = "retryAfter";

    public static string Caller(HttpContext http) => CallerId(http)!;

    /// <summary>
    /// Reads a JSON body with the chat's own JSON (<see cref="ChatJson"/>), never the host's <c>JsonOptions</c>;
    /// an empty body is an empty object, a malformed one a 400 keyed by the offending field's contract name.
    /// </summary>
    public static async Task<(T? Body, ProblemHttpResult? Problem)> ReadBodyAsync<T>(HttpRequest request, CancellationToken cancellationToken)
        where T : new()
    {
        var json = ChatJson.Default.Options;
        try
        {
            using var buffer = new MemoryStream();
            await new SizeLimitedStream(request.Body, MaxJsonBodySize).CopyToAsync(buffer, cancellationToken);
            if (buffer.Length == 0)
                return (new T(), null);
            buffer.Position = 0;
            var body = await JsonSerializer.DeserializeAsync(buffer, ChatJson.Of<T>(), cancellationToken);
            if (body is null)
                return (new T(), null);
            return ClientTextFields<T>.FirstUnacceptable(body, json) is { } field
                ? (default, Invalid(field, $"{field} {ClientText.Rule}."))
                : (body, null);
        }
        catch (JsonException e)
        {
            // Also where an escaped unpaired surrogate ("\ud800") ends: System.Text.Json refuses to read it as a string.
            var field = FieldOf(e.Path);
            return (default, Invalid(field, field == "body" ? "The body is not valid JSON." : $"{field} has the wrong type or format, or is not valid Unicode text."));
        }
        catch (MediaTooLargeException)
        {
            return (default, Problem(StatusCodes.Status413PayloadTooLarge, "body_too_large", $"JSON bodies may be at most {MaxJsonBodySize} bytes."));
        }
        catch (BadHttpRequestException e)
        {
            return (default, Problem(e.StatusCode, "bad_request", e.Message));
        }
    }

    /// <summary>Parses <c>?limit=</c>; a value that is not a number is a 400.</summary>
    public static bool TryParseLimit(string? text, out int? limit, out ProblemHttpResult? problem)
    {
        limit = null;
        problem = null;
        if (string.IsNullOrEmpty(text))
            return true;
        if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            limit = value;
            return true;
        }

        problem = Invalid("limit", "limit must be a whole number.");
        return false;
    }

    public static ProblemHttpResult ToProblem(ChatError error) => error.Kind switch
    {
        ChatErrorKind.Invalid => Invalid(error.Field ?? "body", error.Message),
        ChatErrorKind.Forbidden => Problem(StatusCodes.Status403Forbidden, error.Code, error.Message),

        // Deliberately vague: "does not exist" and "you may not see it" must read the same.
        ChatErrorKind.NotFound => Problem(StatusCodes.Status404NotFound, error.Code, error.Message),
        ChatErrorKind.Conflict => Problem(StatusCodes.Status409Conflict, error.Code, error.Message),
        ChatErrorKind.TooLarge => Problem(StatusCodes.Status413PayloadTooLarge, error.Code, error.Message),
        ChatErrorKind.Unavailable => Problem(StatusCodes.Status503ServiceUnavailable, error.Code, error.Message),
        ChatErrorKind.Gone => Problem(StatusCodes.Status410Gone, error.Code, error.Message),
        ChatErrorKind.NotAuthenticated => Problem(StatusCodes.Status401Unauthorized, error.Code, error.Message),
        ChatErrorKind.TooManyRequests => TooManyRequests(error),
        _ => Problem(StatusCodes.Status415UnsupportedMediaType, error.Code, error.Message),
    };

    /// <summary>A 429 whose wait, in whole seconds, travels in the problem and is copied to <c>Retry-After</c> by <see cref="AuthenticateAsync"/>.</summary>
    private static ProblemHttpResult TooManyRequests(ChatError error)
    {
        var seconds = (long)Math.Ceiling(Math.Max(1, error.RetryAfter?.TotalSeconds ?? 1));
        var problem = Problem(StatusCodes.Status429TooManyRequests, error.Code, error.Message);
        problem.ProblemDetails.Extensions[RetryAfterExtension] = seconds;
        return problem;
    }

    /// <summary>
    /// A 400 whose <c>errors</c> object is keyed by the contract's field name. The object travels as
    /// JSON already written, so that the host's <c>JsonOptions</c> (a <c>DictionaryKeyPolicy</c>), which
    /// write problem details, cannot rename its keys.
    /// </summary>
    public static ProblemHttpResult Invalid(string field, string message) =>
        TypedResults.Problem(new ProblemDetails
        {
            Status = StatusCodes.Status400BadRequest,
            Title = "The request is invalid.",
            Detail = message,
            Extensions = { ["errors"] = Errors(field, message), ["code"] = "invalid_" + field },
        });

    private static JsonElement Errors(string field, string message)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray(field);
            writer.WriteStringValue(message);
            writer.WriteEndArray();
            writer.WriteEndObject();
        }

        using var errors = JsonDocument.Parse(buffer.WrittenMemory);
        return errors.RootElement.Clone();
    }

    public static ProblemHttpResult Problem(int status, string code, string detail) =>
        TypedResults.Problem(new ProblemDetails
        {
            Status = status,
            Title = ReasonPhrases(status),
            Detail = detail,
            Extensions = { ["code"] = code },
        });

    public static string Location(HttpRequest request, string id) => $"{request.PathBase}{request.Path.Value?.TrimEnd('/')}/{Uri.EscapeDataString(id)}";

    private static string ReasonPhrases(int status) => Microsoft.AspNetCore.WebUtilities.ReasonPhrases.GetReasonPhrase(status);

    private static string FieldOf(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
            return "body";
        var field = path.TrimStart('$', '.');
        var end = field.IndexOfAny(['.', '[']);
        field = end > 0 ? field[..end] : field;
        return field.Length == 0 ? "body" : char.ToLowerInvariant(field[0]) + field[1..];
    }
}

/// <summary>Maps a chat endpoint with its name, summary and tag, so that the OpenAPI document reads well.</summary>
internal sealed class ChatRouteMapper(RouteGroupBuilder group)
{
    public RouteHandlerBuilder Get(string pattern, Delegate handler, string name, string summary, string tag) =>
        Describe(group.MapGet(pattern, handler), "GET", pattern, name, summary, tag);

    public RouteHandlerBuilder Post(string pattern, Delegate handler, string name, string summary, string tag) =>
        Describe(group.MapPost(pattern, handler), "POST", pattern, name, summary, tag);

    public RouteHandlerBuilder Patch(string pattern, Delegate handler, string name, string summary, string tag) =>
        Describe(group.MapPatch(pattern, handler), "PATCH", pattern, name, summary, tag);

    public RouteHandlerBuilder Delete(string pattern, Delegate handler, string name, string summary, string tag) =>
        Describe(group.MapDelete(pattern, handler), "DELETE", pattern, name, summary, tag);

    private static RouteHandlerBuilder Describe(RouteHandlerBuilder builder, string method, string pattern, string name, string summary, string tag) =>
        builder.WithName(name).WithSummary(summary).WithTags(tag).WithMetadata(new DfChatRoute(pattern))
            .ProducesChatProblems(method, pattern);
}

/// <summary>Turns service results into typed HTTP results.</summary>
internal static class ChatResults
{
    public static Results<ChatOk<T>, ProblemHttpResult> Ok<T>(ChatResult<T> result) =>
        result.Succeeded ? new ChatOk<T>(result.Value!) : ChatHttp.ToProblem(result.Error!);

    public static Results<ChatCreated<T>, ChatOk<T>, ProblemHttpResult> CreatedOrOk<T>(ChatResult<T> result, HttpRequest request, Func<T, string> id)
    {
        if (!result.Succeeded)
            return ChatHttp.ToProblem(result.Error!);
        return result.Created
            ? new ChatCreated<T>(ChatHttp.Location(request, id(result.Value!)), result.Value!)
            : new ChatOk<T>(result.Value!);
    }

    /// <summary>For routes whose success always creates something (the contract has no 200 for them).</summary>
    public static Results<ChatCreated<T>, ProblemHttpResult> Created<T>(ChatResult<T> result, HttpRequest request, Func<T, string> id) =>
        result.Succeeded ? new ChatCreated<T>(ChatHttp.Location(request, id(result.Value!)), result.Value!) : ChatHttp.ToProblem(result.Error!);

    public static Results<NoContent, ProblemHttpResult> NoContent(ChatResult result) =>
        result.Succeeded ? TypedResults.NoContent() : ChatHttp.ToProblem(result.Error!);
}
