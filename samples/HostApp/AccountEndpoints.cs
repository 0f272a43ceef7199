using System.Text.Json;
using DfChat.Services;
using HostApp.Data;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;

namespace HostApp;

/// <summary>The sample's own account routes: the caller's display name, and deleting the account, chat data first (API.md §6).</summary>
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

    /// <summary>
    /// Maps <c>PATCH /me</c> { displayName } under <paramref name="auth"/>: Identity's <c>/auth/register</c> takes
    /// only an e-mail address and a password, so the sample page sets the name right after registering.
    /// </summary>
    public static IEndpointRouteBuilder MapAccountProfile(this IEndpointRouteBuilder auth)
    {
        auth.MapPatch("/me", UpdateMeAsync)
            .WithName("UpdateMe")
            .WithSummary("Sets the caller's display name, the name the chat shows (GET /api/chat/users/me).")
            .WithTags("Auth")
            .Accepts<UpdateAccountRequest>("application/json");
        return auth;
    }

    /// <summary>The body of <c>PATCH /auth/me</c>.</summary>
    /// <param name="DisplayName">The name others see, 1–100 characters once trimmed.</param>
    internal sealed record UpdateAccountRequest(string? DisplayName);

    /// <summary>The caller's account after <c>PATCH /auth/me</c>.</summary>
    /// <param name="Id">The user's id, as the chat's routes return it.</param>
    /// <param name="DisplayName">The name the chat shows.</param>
    internal sealed record AccountResponse(string Id, string DisplayName);

    /// <summary>401 without a signed-in user; 400 for a missing, empty, too long or malformed name; otherwise 200.</summary>
    private static async Task<Results<Ok<AccountResponse>, ValidationProblem, ProblemHttpResult>> UpdateMeAsync(
        HttpContext http, UserManager<AppUser> users, CancellationToken cancellationToken)
    {
        if (http.User.Identity?.IsAuthenticated != true || await users.GetUserAsync(http.User) is not { } user)
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Unauthorized", detail: "Sign in to change your account.");
        if (!http.Request.HasJsonContentType())
            return TypedResults.Problem(statusCode: StatusCodes.Status415UnsupportedMediaType, title: "Unsupported Media Type", detail: "Send the body as application/json.");

        UpdateAccountRequest? body = null;
        try
        {
            body = await http.Request.ReadFromJsonAsync<UpdateAccountRequest>(cancellationToken);
        }
        catch (JsonException)
        {
        }

        var name = body?.DisplayName?.Trim();
        if (string.IsNullOrEmpty(name) || name.Length > AppUser.DisplayNameMaxLength || !IsWellFormed(name))
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["displayName"] = [$"A display name has 1 to {AppUser.DisplayNameMaxLength} characters, without control characters."],
            });

        user.DisplayName = name;
        var updated = await users.UpdateAsync(user);
        if (!updated.Succeeded)
            return TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "The account could not be updated.", detail: string.Join(" ", updated.Errors.Select(e => e.Description)));
        return TypedResults.Ok(new AccountResponse(user.Id, name));
    }

    /// <summary>No control characters (U+0000 included) and no unpaired surrogate, as the chat's own text rules (API.md §2).</summary>
    private static bool IsWellFormed(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsControl(c))
                return false;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                i++;
            else if (char.IsSurrogate(c))
                return false;
        }

        return true;
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
