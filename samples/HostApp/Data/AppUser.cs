using Microsoft.AspNetCore.Identity;

namespace HostApp.Data;

/// <summary>The sample's own user: an Identity user with a string key, and the name the chat shows.</summary>
public sealed class AppUser : IdentityUser
{
    /// <summary>The longest display name the sample accepts.</summary>
    public const int DisplayNameMaxLength = 100;

    /// <summary>The name chosen at sign-up (<c>PATCH /auth/me</c>); the chat shows the e-mail address while it is null.</summary>
    public string? DisplayName { get; set; }
}
