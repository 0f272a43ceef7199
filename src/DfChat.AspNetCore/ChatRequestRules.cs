using System.Reflection;
using System.Text.Json;
using DfChat.Rules;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Net.Http.Headers;

namespace DfChat.AspNetCore;

/// <summary>
/// The input rules every chat endpoint shares (API.md §2), checked once for all of them after the
/// caller is known (so an anonymous caller still gets 401 first): a body of a route that takes one is
/// JSON (415 otherwise, so no cross-site form post reaches the chat), and no text from the path or the
/// query holds U+0000 or an unpaired surrogate (400 for that field). Bodies are checked as they are
/// read, by <see cref="ChatHttp.ReadBodyAsync{T}"/>.
/// </summary>
internal static class ChatRequestRules
{
    private const string Json = "application/json";

    /// <summary>Builds the checks of one endpoint from its handler's parameters and its metadata.</summary>
    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        // Route values and query values arrive as the handler's string parameters, named as the contract names them.
        var texts = context.MethodInfo.GetParameters()
            .Select((parameter, index) => (parameter, index))
            .Where(p => p.parameter.ParameterType == typeof(string))
            .Select(p => (Index: p.index, Field: p.parameter.Name!))
            .ToArray();

        return invocation =>
        {
            if (TakesJson(invocation.HttpContext) && RefuseBodyType(invocation.HttpContext.Request) is { } refused)
                return ValueTask.FromResult<object?>(refused);
            foreach (var (index, field) in texts)
            {
                if (invocation.Arguments[index] is string text && !ClientText.IsAcceptable(text))
                    return ValueTask.FromResult<object?>(ChatHttp.Invalid(field, $"{field} {ClientText.Rule}."));
            }

            return next(invocation);
        };
    }

    /// <summary>Whether the request may carry a body, which is then JSON: every POST and PATCH but the upload's.</summary>
    private static bool TakesJson(HttpContext http) =>
        (HttpMethods.IsPost(http.Request.Method) || HttpMethods.IsPatch(http.Request.Method) || HttpMethods.IsPut(http.Request.Method))
        && http.GetEndpoint()?.Metadata.GetMetadata<DfChatRequestBody>() is null or { ContentType: Json };

    /// <summary>
    /// 415 unless the body is sent as <c>application/json</c> (in UTF-8, the only charset JSON has). A
    /// request without a body may name no content type: the route then reads an empty object.
    /// </summary>
    private static ProblemHttpResult? RefuseBodyType(HttpRequest request)
    {
        if (string.IsNullOrEmpty(request.ContentType))
            return HasBody(request) ? NotJson() : null;
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var type) || !type.MediaType.Equals(Json, StringComparison.OrdinalIgnoreCase))
            return NotJson();
        var charset = HeaderUtilities.RemoveQuotes(type.Charset);
        return charset.Length == 0 || charset.Equals("utf-8", StringComparison.OrdinalIgnoreCase) || charset.Equals("utf8", StringComparison.OrdinalIgnoreCase)
            ? null
            : NotJson();
    }

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength is > 0
        || (request.ContentLength is null && request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody == true);

    private static ProblemHttpResult NotJson() =>
        ChatHttp.Problem(StatusCodes.Status415UnsupportedMediaType, "unsupported_content_type", "Send the body as application/json (UTF-8).");
}

/// <summary>The text fields of a request body type, read once: its string and string-list properties with their JSON names.</summary>
/// <typeparam name="T">The body type.</typeparam>
internal static class ClientTextFields<T>
{
    private static readonly PropertyInfo[] Fields = typeof(T).GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.CanRead && (p.PropertyType == typeof(string) || typeof(IEnumerable<string>).IsAssignableFrom(p.PropertyType)))
        .ToArray();

    /// <summary>The JSON name of the first field whose text breaks <see cref="ClientText"/>, or null when all are acceptable.</summary>
    public static string? FirstUnacceptable(T body, JsonSerializerOptions json)
    {
        foreach (var field in Fields)
        {
            var acceptable = field.GetValue(body) switch
            {
                string text => ClientText.IsAcceptable(text),
                IEnumerable<string?> texts => texts.All(ClientText.IsAcceptable),
                _ => true,
            };
            if (!acceptable)
                return json.PropertyNamingPolicy?.ConvertName(field.Name) ?? field.Name;
        }

        return null;
    }
}
