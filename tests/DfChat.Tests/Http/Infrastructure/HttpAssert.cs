using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace DfChat.Tests.Http.Infrastructure;

/// <summary>Assertions on HTTP answers that show the body when they fail.</summary>
public static class HttpAssert
{
    /// <summary>Asserts <paramref name="expected"/> with a JSON body and returns it.</summary>
    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(body).RootElement.Clone();
    }

    /// <summary>Asserts a status without caring for the body (204, or a status checked elsewhere).</summary>
    public static async Task StatusAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        if (response.StatusCode != expected)
            Assert.Fail($"Expected {(int)expected}, got {(int)response.StatusCode} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {await response.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// Asserts an RFC 9457 problem: the status, <c>application/problem+json</c>, the status repeated in the
    /// body and, for 400, an <c>errors</c> object (holding <paramref name="field"/> when given).
    /// </summary>
    public static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected, string? field = null)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"Expected {(int)expected}, got {(int)response.StatusCode} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonDocument.Parse(body).RootElement.Clone();
        Assert.Equal((int)expected, problem.GetProperty("status").GetInt32());
        if (expected == HttpStatusCode.BadRequest)
        {
            Assert.True(problem.TryGetProperty("errors", out var errors) && errors.ValueKind == JsonValueKind.Object, $"400 without an errors object: {body}");
            if (field is not null)
                Assert.True(errors.TryGetProperty(field, out _), $"Expected errors.{field}: {body}");
        }

        return problem;
    }

    /// <summary>
    /// Asserts the 404 of a missing <paramref name="code"/> (<c>room_not_found</c>, <c>message_not_found</c>…):
    /// which thing was not found, not merely some 4xx.
    /// </summary>
    public static async Task NotFoundAsync(HttpResponseMessage response, string code)
    {
        var problem = await ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.Equal(code, problem.Str("code"));
    }

    /// <summary>Asserts a 4xx problem (never a 5xx, never a success) for input that is malformed.</summary>
    public static async Task ClientErrorAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsStringAsync();
        var status = (int)response.StatusCode;
        Assert.True(status is >= 400 and < 500, $"Expected a 4xx, got {status} from {response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    /// <summary>Asserts an ISO 8601 UTC timestamp ending in Z and returns the instant.</summary>
    public static DateTime Timestamp(JsonElement value)
    {
        var text = value.GetString();
        Assert.NotNull(text);
        Assert.EndsWith("Z", text, StringComparison.Ordinal);
        return DateTime.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
    }

    /// <summary>The ids of a list envelope's items, asserting the envelope's shape.</summary>
    public static List<string> Ids(JsonElement page)
    {
        Assert.Equal(JsonValueKind.Array, page.GetProperty("items").ValueKind);
        Assert.True(page.TryGetProperty("nextCursor", out _), "A list without nextCursor.");
        return page.GetProperty("items").EnumerateArray().Select(i => i.Str("id")).ToList();
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response) =>
        await response.Content.ReadFromJsonAsync<JsonElement>();
}

/// <summary>Short reads of JSON properties.</summary>
public static class JsonExtensions
{
    public static string Str(this JsonElement element, string name) =>
        element.GetProperty(name).GetString() ?? throw new InvalidOperationException($"{name} is null in {element}");

    public static string? NullableStr(this JsonElement element, string name) => element.GetProperty(name).GetString();

    public static JsonElement Prop(this JsonElement element, string name) => element.GetProperty(name);

    public static List<string> Strings(this JsonElement element, string name) =>
        element.GetProperty(name).EnumerateArray().Select(e => e.GetString()!).ToList();

    public static List<JsonElement> Items(this JsonElement page) => page.GetProperty("items").EnumerateArray().ToList();

    public static string? Cursor(this JsonElement page) => page.GetProperty("nextCursor").GetString();

    /// <summary>The property names of an object, sorted, to compare a model's shape with the contract.</summary>
    public static string[] Names(this JsonElement element) => element.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal).ToArray();
}
