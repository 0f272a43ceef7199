using System.Diagnostics;
using DfChat.Entities;
using Microsoft.EntityFrameworkCore;
using static DfChat.Bench.Seeding.MembershipSeeder;

namespace DfChat.Bench.Seeding;

/// <summary>
/// The rest of a busy site around what a scenario measures, straight into the sample host's database:
/// users (rows of ASP.NET Core Identity's table that nobody signs in as) and small group rooms of two of
/// them, so that the user table and the chat's indexes are the size of a real deployment's rather than
/// holding only the few rows a scenario reads.
/// </summary>
internal static class PopulationSeeder
{
    private const int Chunk = 2_000;

    /// <summary>Adds <paramref name="users"/> users (at least 2) and <paramref name="rooms"/> group rooms of two of them each. Returns the seconds it took.</summary>
    public static async Task<double> SeedAsync(string provider, string connectionString, int users, int rooms, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var ids = Enumerable.Range(0, users).Select(_ => Guid.NewGuid().ToString()).ToArray();
        foreach (var chunk in ids.Chunk(Chunk))
        {
            await using var db = HostDatabase.Open(provider, connectionString);
            db.AddRange(chunk.Select(id => new HostUser
            {
                Id = id,
                UserName = $"population-{id}@example.com",
                NormalizedUserName = $"POPULATION-{id}@EXAMPLE.COM",
                Email = $"population-{id}@example.com",
                NormalizedEmail = $"POPULATION-{id}@EXAMPLE.COM",
                SecurityStamp = Guid.NewGuid().ToString("N"),
                ConcurrencyStamp = Guid.NewGuid().ToString(),
            }));
            await db.SaveChangesAsync(cancellationToken);
        }

        var now = DateTime.UtcNow;
        for (var start = 0; start < rooms; start += Chunk)
        {
            await using var db = HostDatabase.Open(provider, connectionString);
            var chunk = Enumerable.Range(start, Math.Min(Chunk, rooms - start)).Select(i =>
            {
                var (owner, other) = (ids[i % users], ids[(i + 1) % users]);
                var at = now.AddMinutes(-i);
                var room = new ChatRoom<string>
                {
                    Type = ChatRoomType.Group,
                    Name = $"population room {i}",
                    NormalizedName = $"population room {i}",
                    CreatedAt = at,
                    CreatedBy = owner,
                    LastActivityAt = at,
                    LatestLastSeenAt = at,
                    MemberCount = 2,
                };
                return (Room: room, Members: new[] { Member(owner, owner, at, isOwner: true), Member(other, owner, at, isOwner: false) });
            }).ToList();
            db.AddRange(chunk.Select(c => c.Room));
            await db.SaveChangesAsync(cancellationToken);
            foreach (var (room, members) in chunk)
            {
                foreach (var member in members)
                    member.RoomId = room.Id;
            }

            db.AddRange(chunk.SelectMany(c => c.Members));
            await db.SaveChangesAsync(cancellationToken);
        }

        return clock.Elapsed.TotalSeconds;
    }

    private static ChatRoomUser<string> Member(string userId, string owner, DateTime at, bool isOwner) => new()
    {
        UserId = userId,
        IsOwner = isOwner,
        Permissions = isOwner ? ChatPermissions.All : GroupMemberPermissions,
        LastSeenAt = at,
        CreatedBy = owner,
        CreatedAt = at,
    };
}
