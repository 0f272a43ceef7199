using DfChat.Entities;
using Microsoft.EntityFrameworkCore;

namespace DfChat.Bench.Seeding;

/// <summary>
/// Makes users members of a room straight through the sample host's database, with the chat's own EF Core
/// model. Adding members through the API announces each one to every member (<c>memberAdded</c>, API.md §5),
/// which for a room of 1,000 is a million deliveries before the first message; a benchmark of one message to
/// a big room needs the room, not that history.
/// </summary>
internal static class MembershipSeeder
{
    /// <summary>A group member's default permissions (the chat's <c>RoomRules.DefaultPermissions</c>), what every seeder gives its members.</summary>
    public const ChatPermissions GroupMemberPermissions =
        ChatPermissions.CreateMessages | ChatPermissions.AddUsers | ChatPermissions.EditOwnMessages | ChatPermissions.DeleteOwnMessages;

    /// <summary>Adds <paramref name="userIds"/> as ordinary members of a group room, with its default permissions.</summary>
    public static async Task AddGroupMembersAsync(string provider, string connectionString, string roomId, string ownerId, IEnumerable<string> userIds, CancellationToken cancellationToken)
    {
        await using var db = HostDatabase.Open(provider, connectionString);

        var room = long.Parse(roomId, System.Globalization.CultureInfo.InvariantCulture);
        var readNumber = await db.Set<ChatRoom<string>>().Where(r => r.Id == room).Select(r => r.LastMessageNumber).SingleAsync(cancellationToken);
        var now = DateTime.UtcNow;
        var added = userIds.Where(id => id != ownerId).Select(id => new ChatRoomUser<string>
        {
            RoomId = room,
            UserId = id,
            Permissions = GroupMemberPermissions,
            LastSeenAt = now,
            ReadNumber = readNumber,
            CreatedBy = ownerId,
            CreatedAt = now,
        }).ToList();
        db.AddRange(added);
        await db.SaveChangesAsync(cancellationToken);
        await db.Set<ChatRoom<string>>().Where(r => r.Id == room)
            .ExecuteUpdateAsync(s => s.SetProperty(r => r.MemberCount, r => r.MemberCount + added.Count), cancellationToken);
    }

    /// <summary>
    /// The sample host's user table (ASP.NET Core Identity's): what the chat's model needs, and the columns
    /// a row needs to be inserted (<see cref="PopulationSeeder"/>).
    /// </summary>
    internal sealed class HostUser
    {
        public string Id { get; set; } = "";

        public string? UserName { get; set; }

        public string? NormalizedUserName { get; set; }

        public string? Email { get; set; }

        public string? NormalizedEmail { get; set; }

        public string? SecurityStamp { get; set; }

        public string? ConcurrencyStamp { get; set; }

        public bool EmailConfirmed { get; set; }

        public bool PhoneNumberConfirmed { get; set; }

        public bool TwoFactorEnabled { get; set; }

        public bool LockoutEnabled { get; set; }

        public int AccessFailedCount { get; set; }
    }

    internal sealed class HostDatabase(DbContextOptions<HostDatabase> options) : DbContext(options)
    {
        /// <summary>Seeding's statements touch millions of rows: more than the default 30 s.</summary>
        private const int SeedingTimeoutSeconds = 600;

        /// <summary>The sample host's database with the chat's model, on either provider.</summary>
        public static HostDatabase Open(string provider, string connectionString)
        {
            var options = new DbContextOptionsBuilder<HostDatabase>();
            if (provider == "sqlite")
                options.UseSqlite(connectionString, o => o.CommandTimeout(SeedingTimeoutSeconds));
            else
                options.UseNpgsql(connectionString, o => o.CommandTimeout(SeedingTimeoutSeconds));
            return new HostDatabase(options.Options);
        }

        protected override void OnModelCreating(ModelBuilder modelBuilder)
        {
            modelBuilder.Entity<HostUser>().ToTable("AspNetUsers");
            modelBuilder.UseDfChat<HostUser>();
        }
    }
}
