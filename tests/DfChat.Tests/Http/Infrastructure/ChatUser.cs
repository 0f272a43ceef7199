using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace DfChat.Tests.Http.Infrastructure;

/// <summary>A registered user and its authenticated client, based at <c>/api/chat/</c>, with shortcuts for common setup.</summary>
public sealed class ChatUser(string id, string email, HttpClient client)
{
    public string Id { get; } = id;

    /// <summary>The Identity user name (the sample registers users by email).</summary>
    public string Email { get; } = email;

    public HttpClient Client { get; } = client;

    public Task<HttpResponseMessage> GetAsync(string path) => Client.GetAsync(path);

    public Task<HttpResponseMessage> PostAsync(string path, object? body) => Client.PostAsJsonAsync(path, body);

    public Task<HttpResponseMessage> PostAsync(string path) => Client.PostAsync(path, null);

    public Task<HttpResponseMessage> PatchAsync(string path, object body) => Client.PatchAsJsonAsync(path, body);

    public Task<HttpResponseMessage> DeleteAsync(string path) => Client.DeleteAsync(path);

    public Task<HttpResponseMessage> SendRawAsync(HttpMethod method, string path, string body, string contentType = "application/json") =>
        Client.SendAsync(new HttpRequestMessage(method, path) { Content = new StringContent(body, null, contentType) });

    /// <summary>GET that must answer 200 with JSON.</summary>
    public async Task<JsonElement> GetJsonAsync(string path) => await HttpAssert.JsonAsync(await GetAsync(path));

    /// <summary>Creates a room (201) and returns it.</summary>
    public async Task<JsonElement> CreateRoomAsync(string type, string? name = null, bool isPublic = false, params ChatUser[] members) =>
        await HttpAssert.JsonAsync(
            await PostAsync("rooms", new { type, name = name ?? (type == "private_messages" ? null : "room " + Guid.NewGuid().ToString("N")[..8]), isPublic, userIds = members.Select(m => m.Id).ToArray() }),
            HttpStatusCode.Created);

    public async Task<string> CreateRoomIdAsync(string type, string? name = null, bool isPublic = false, params ChatUser[] members) =>
        (await CreateRoomAsync(type, name, isPublic, members)).Str("id");

    /// <summary>A group the caller owns, with <paramref name="members"/> added with the group defaults.</summary>
    public Task<string> CreateGroupAsync(params ChatUser[] members) => CreateRoomIdAsync("group", null, false, members);

    /// <summary>Sends a text message (201) and returns it.</summary>
    public async Task<JsonElement> SendAsync(string roomId, string text = "hello") =>
        await HttpAssert.JsonAsync(await PostAsync($"rooms/{roomId}/messages", new { text }), HttpStatusCode.Created);

    public async Task<string> SendIdAsync(string roomId, string text = "hello") => (await SendAsync(roomId, text)).Str("id");

    /// <summary>Adds a member (201) and returns it; <paramref name="permissions"/> null means the type's defaults.</summary>
    public async Task<JsonElement> AddMemberAsync(string roomId, ChatUser user, string[]? permissions = null) =>
        await HttpAssert.JsonAsync(
            await PostAsync($"rooms/{roomId}/users", permissions is null ? new { userId = user.Id } : new { userId = user.Id, permissions }),
            HttpStatusCode.Created);

    /// <summary>Reacts (201) and returns the reaction.</summary>
    public async Task<JsonElement> ReactAsync(string roomId, string messageId, string reaction = "like") =>
        await HttpAssert.JsonAsync(await PostAsync($"rooms/{roomId}/messages/{messageId}/reactions", new { reaction }), HttpStatusCode.Created);

    /// <summary>Posts a multipart upload with one part named <paramref name="partName"/>.</summary>
    public Task<HttpResponseMessage> UploadAsync(byte[] bytes, string contentType, string fileName = "file.bin", string partName = "file")
    {
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = MediaTypeHeaderValue.Parse(contentType);
        var form = new MultipartFormDataContent { { file, partName, fileName } };
        return Client.PostAsync("media", form);
    }

    /// <summary>Uploads (201) and returns the media.</summary>
    public async Task<JsonElement> UploadOkAsync(byte[] bytes, string contentType, string fileName = "file.bin") =>
        await HttpAssert.JsonAsync(await UploadAsync(bytes, contentType, fileName), HttpStatusCode.Created);

    public async Task<string> UploadPngAsync(int size = 256) => (await UploadOkAsync(HttpFiles.Png(size), "image/png", "picture.png")).Str("id");
}
