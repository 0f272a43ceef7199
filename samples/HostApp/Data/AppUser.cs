using Microsoft.AspNetCore.Identity;

namespace HostApp.Data;

/// <summary>The sample's own user: an Identity user with a string key.</summary>
public sealed class AppUser : IdentityUser;
