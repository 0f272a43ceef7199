using HostApp;
using HostApp.Data;
using Microsoft.AspNetCore.Identity;

var builder = WebApplication.CreateBuilder(args);
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]))
    builder.WebHost.UseUrls("http://localhost:5080");

builder.Services.AddChatDatabase(builder.Configuration, builder.Environment);
builder.Services.AddAuthorization();
builder.Services.AddIdentityApiEndpoints<AppUser>().AddEntityFrameworkStores<AppDbContext>();
builder.Services.AcceptBearerTokenInQueryForHub("/api/chat/hub");

var mediaRoot = Path.Combine(builder.Environment.ContentRootPath, builder.Configuration["Media:Root"] ?? "media");
builder.Services.AddDfChat<AppUser>()
    .UseDbContext<AppDbContext>()
    .UseDisplayName(u => u.DisplayName ?? u.UserName)
    .UseFileSystemMediaStore(mediaRoot)
    .AddChatBackplane(builder.Configuration.GetConnectionString("Redis"));
builder.Services.AddOptions<DfChat.Options.DfChatOptions>().Bind(builder.Configuration.GetSection("DfChat"));

builder.Services.AddProblemDetails();
builder.Services.AddChatOpenApi();

var app = builder.Build();
await app.Services.PrepareChatDatabaseAsync();

app.UseExceptionHandler();
app.UseStatusCodePages();
app.UseDefaultFiles();
app.UseStaticFiles();
app.UseAuthentication();
app.UseAuthorization();

app.MapCachedOpenApi();
app.MapGroup("/auth").MapIdentityApi<AppUser>();
app.MapGroup("/auth").MapAccountDeletion().MapAccountProfile();
app.MapGroup("/api/chat").MapDfChat();
app.MapPageSettings();

app.Run();

/// <summary>The sample's entry point, visible to tests through WebApplicationFactory.</summary>
public partial class Program;
