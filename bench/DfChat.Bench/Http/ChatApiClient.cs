using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace DfChat.Bench.Http;

/// <summary>A user of the sample host, logged in.</summary>
internal sealed record BenchAccount(string Email, string Id, string AccessToken);

/// <summary>Seeds the sample host over HTTP, as a client would: Identity's register and login, then the chat routes.</summary>
internal sealed class ChatApiClient(HttpClient http)
{
    public const string Password = "Bench-pass-1";

    /// <summary>Registers and logs in <paramref name="count"/> users, a few at a time (password hashing is deliberately slow).</summary>
    public async Task<IReadOnlyList<BenchAccount>> CreateUsersAsync(string prefix, int count, CancellationToken cancellationToken)
    {
        var accounts = new BenchAccount[count];
        await Parallel.ForEachAsync(
            Enumerable.Range(0, count),
            new ParallelOptions { MaxDegreeOfParallelism = 4, CancellationToken = cancellationToken },
            async (i, ct) => accounts[i] = await CreateUserAsync($"{prefix}{i}@bench.example", ct));
        return accounts;
    }

    public async Task<BenchAccount> CreateUserAsync(string email, CancellationToken cancellationToken)
    {
        using (var register = await http.PostAsJsonAsync("/auth/register", new { email, password = Password }, cancellationToken))
            await EnsureSuccessAsync(register, "register", cancellationToken);

        string token;
        using (var login = await http.PostAsJsonAsync("/auth/login", new { email, password = Password }, cancellationToken))
        {
            await EnsureSuccessAsync(login, "login", cancellationToken);
            token = (await login.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("accessToken").GetString()!;
        }

        using var me = await SendAsync(HttpMethod.Get, "/api/chat/users/me", token, null, cancellationToken);
        var id = (await me.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString()!;
        return new BenchAccount(email, id, token);
    }

    /// <summary>Creates a group room owned by <paramref name="owner"/> with the other users as members; returns its id.</summary>
    public async Task<string> CreateGroupAsync(BenchAccount owner, string name, IEnumerable<BenchAccount> members, CancellationToken cancellationToken)
    {
        var body = new { type = "group", name, userIds = members.Where(m => m.Id != owner.Id).Select(m => m.Id).ToArray() };
        using var created = await SendAsync(HttpMethod.Post, "/api/chat/rooms", owner.AccessToken, body, cancellationToken);
        return (await created.Content.ReadFromJsonAsync<JsonElement>(cancellationToken)).GetProperty("id").GetString()!;
    }

    private async Task<HttpResponseMessage> SendAsync(HttpMethod method, string path, string token, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        if (body is not null)
            request.Content = JsonContent.Create(body);
        var response = await http.SendAsync(request, cancellationToken);
        await EnsureSuccessAsync(response, $"{method} {path}", cancellationToken);
        return response;
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, string what, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
            throw new InvalidOperationException($"Seeding failed at {what}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken)}");
    }
}
