using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace HostApp;

/// <summary>
/// The sample's OpenAPI document: its security schemes (Identity's bearer tokens and cookies), generated
/// once and served from memory.
/// </summary>
internal static class OpenApiSetup
{
    public const string DocumentName = "v1";

    /// <summary>
    /// Declares how a caller authenticates. DfChat puts every scheme the document declares on its
    /// operations, as alternatives: a host with other authentication (JWT, cookies only) declares its own.
    /// </summary>
    public static IServiceCollection AddChatOpenApi(this IServiceCollection services)
    {
        services.AddOpenApi(DocumentName, o => o.AddDocumentTransformer((document, _, _) =>
        {
            document.Info.Title = "DfChat sample host";
            document.Info.Description = "The chat routes of DfChat under /api/chat, and the sample's ASP.NET Core Identity endpoints under /auth (register, then log in for a bearer token or a cookie). The hub's events are described in docs/hub-events.json.";
            document.Components ??= new OpenApiComponents();
            document.Components.SecuritySchemes ??= new Dictionary<string, IOpenApiSecurityScheme>();
            document.Components.SecuritySchemes["bearer"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                Description = "The accessToken of POST /auth/login (or /auth/refresh). On the hub's WebSocket, also as the access_token query parameter.",
            };
            document.Components.SecuritySchemes["cookie"] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Cookie,
                Name = ".AspNetCore.Identity.Application",
                Description = "The cookie set by POST /auth/login?useCookies=true.",
            };
            return Task.CompletedTask;
        }).AddOperationTransformer(DescribeAuthProblems));
        services.AddSingleton<CachedOpenApiDocument>();
        return services;
    }

    /// <summary>
    /// The 401s of the account routes, which Identity's endpoints answer without declaring: a failed login
    /// (problem details with the reason), a refresh token that is not valid, and the routes that need a
    /// signed-in user (answered with problem details by the status code pages).
    /// </summary>
    private static readonly Dictionary<string, string> AuthUnauthorized = new(StringComparer.OrdinalIgnoreCase)
    {
        ["POST auth/login"] = "Wrong e-mail or password, a locked-out account, or a missing or wrong two-factor code.",
        ["POST auth/refresh"] = "The refresh token is not valid, or its user no longer exists.",
        ["GET auth/confirmEmail"] = "The user or the confirmation code is not valid.",
        ["POST auth/manage/2fa"] = "No signed-in user.",
        ["GET auth/manage/info"] = "No signed-in user.",
        ["POST auth/manage/info"] = "No signed-in user.",
        ["DELETE auth/me"] = "No signed-in user.",
    };

    /// <summary>
    /// Declares the account routes' problems: their 401s, and a 400 on every route with a body (a missing
    /// or malformed body is a 400 with problem details, also where Identity declares no validation problem).
    /// </summary>
    private static Task DescribeAuthProblems(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.RelativePath?.StartsWith("auth/", StringComparison.OrdinalIgnoreCase) != true)
            return Task.CompletedTask;
        operation.Responses ??= [];
        if (operation.RequestBody is not null && !operation.Responses.ContainsKey("400"))
            operation.Responses["400"] = Problem("The body is missing or is not the JSON this route reads.", context.Document);
        if (AuthUnauthorized.TryGetValue($"{context.Description.HttpMethod} {context.Description.RelativePath}", out var unauthorized))
            operation.Responses["401"] = Problem(unauthorized, context.Document);
        return Task.CompletedTask;
    }

    private static OpenApiResponse Problem(string description, OpenApiDocument? document) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/problem+json"] = new() { Schema = new OpenApiSchemaReference("ProblemDetails", document) },
        },
    };

    /// <summary>
    /// Serves the document at <c>/openapi/v1.json</c> from memory: generating it costs far more than a
    /// request should (anonymous callers could keep the CPU busy), and it never changes while the app runs.
    /// </summary>
    public static IEndpointConventionBuilder MapCachedOpenApi(this IEndpointRouteBuilder endpoints) =>
        endpoints.MapGet($"/openapi/{DocumentName}.json", async (CachedOpenApiDocument document, CancellationToken cancellationToken) =>
                Results.Bytes(await document.GetAsync(cancellationToken), "application/json;charset=utf-8"))
            .ExcludeFromDescription();
}

/// <summary>The OpenAPI document as JSON, generated at its first request and kept.</summary>
internal sealed class CachedOpenApiDocument(IServiceProvider services) : IDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private byte[]? _json;
    private int _generations;

    /// <summary>How many times the document was generated: once for the app's lifetime.</summary>
    public int Generations => Volatile.Read(ref _generations);

    public async Task<byte[]> GetAsync(CancellationToken cancellationToken)
    {
        if (Volatile.Read(ref _json) is { } json)
            return json;
        await _gate.WaitAsync(cancellationToken);
        try
        {
            return _json ??= await GenerateAsync(cancellationToken);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    private async Task<byte[]> GenerateAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _generations);
        var provider = services.GetRequiredKeyedService<IOpenApiDocumentProvider>(OpenApiSetup.DocumentName);
        var document = await provider.GetOpenApiDocumentAsync(cancellationToken);

        // Without servers, clients resolve paths against the document's own address, whatever host or proxy served it.
        document.Servers = [];
        using var stream = new MemoryStream();
        await document.SerializeAsJsonAsync(stream, OpenApiSpecVersion.OpenApi3_1, cancellationToken);
        return stream.ToArray();
    }
}
