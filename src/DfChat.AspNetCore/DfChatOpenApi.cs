using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace DfChat.AspNetCore;

/// <summary>
/// The request body a chat endpoint reads itself. It is metadata for the OpenAPI document only:
/// unlike <c>Accepts&lt;T&gt;()</c>, it never makes routing answer 415 before authentication answers 401.
/// </summary>
internal sealed record DfChatRequestBody(Type Type, string ContentType);

/// <summary>Describes the chat endpoints' request bodies in the host's OpenAPI documents.</summary>
internal static class DfChatOpenApi
{
    public static async Task DescribeRequestBodyAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        if (context.Description.ActionDescriptor.EndpointMetadata.OfType<DfChatRequestBody>().FirstOrDefault() is not { } body)
            return;
        IOpenApiSchema schema = body.Type == typeof(IFormFile)
            ? new OpenApiSchema
            {
                Type = JsonSchemaType.Object,
                Required = new HashSet<string> { "file" },
                Properties = new Dictionary<string, IOpenApiSchema>
                {
                    ["file"] = new OpenApiSchema { Type = JsonSchemaType.String, Format = "binary" },
                },
            }
            : await context.GetOrCreateSchemaAsync(body.Type, null, cancellationToken);
        operation.RequestBody = new OpenApiRequestBody
        {
            Required = body.Type == typeof(IFormFile),
            Content = new Dictionary<string, OpenApiMediaType> { [body.ContentType] = new() { Schema = schema } },
        };
    }
}
