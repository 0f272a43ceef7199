using System.Text.Json;
using DfChat.Services;
using HostApp.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace HostApp;

/// <summary>The sample's own account route: deleting the caller's account, chat data first (API.md §6).</summary>
internal static class AccountEndpoints
{
    /// <summary>Maps <c>DELETE /me</c> { password } under <paramref name="auth"/> (the sample's <c>/auth</c>).</summary>
    public static IEndpointRouteBuilder MapAccountDeletion(this IEndpointRouteBuilder auth)
    {
        auth.MapDelete("/me", DeleteMeAsync)
            .WithName("DeleteMe")
            .WithSummary("Deletes the caller's account after erasing their chat data; the password confirms it.")
            .WithTags("Auth")
            .Accepts<DeleteAccountRequest>("application/json");
        return auth;
    }

    /// <summary>The body of <c>DELETE /auth/me</c>.</summary>
    /// <param name="Password">The caller's current password.</param>
    internal sealed record DeleteAccountRequest(string? Password);

    /// <summary>
    /// 401 without a signed-in user (checked before the body is read); 400 for a wrong or missing password;
    /// otherwise the chat erases the user (so that no chat row refers to them), then Identity deletes them: 204.
    /// </summary>
    private static async Task<Results<NoContent, ValidationProblem, ProblemHttpResult>> DeleteMeAsync(
        HttpContext http, UserManager<AppUser> users, SignInManager<AppUser> signIn, IChatUserData chat, CancellationToken cancellationToken)
    {
        if (http.User.Identity?.IsAuthenticated != true || await users.GetUserAsync(http.User) is not { } user)
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "Sign in to delete your account.");

        DeleteAccountRequest? body = null;
        try
        {
            if (http.Request.HasJsonContentType())
                body = await http.Request.ReadFromJsonAsync<DeleteAccountRequest>(cancellationToken);
        }
        catch (JsonException)
        {
        }

        if (string.IsNullOrEmpty(body?.Password) || !await users.CheckPasswordAsync(user, body.Password))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["password"] = ["The password is not right."] });

        await chat.EraseAsync(user.Id, cancellationToken);
        var deleted = await users.DeleteAsync(user);
        if (!deleted.Succeeded)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The account could not be deleted.", detail: string.Join(" ", deleted.Errors.Select(e => e.Description)));
        await signIn.SignOutAsync();
        return TypedResults.NoContent();
    }
}
