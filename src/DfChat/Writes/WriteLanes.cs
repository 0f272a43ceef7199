using Microsoft.EntityFrameworkCore;

namespace DfChat.Writes;

/// <summary>
/// Which writes queue behind each other. On PostgreSQL, each room is a lane of its own (rooms never wait
/// for each other; a busy room batches). SQLite allows one writer per database, so all its writes share
/// one lane, and a batch may span rooms.
/// </summary>
internal static class WriteLanes
{
    private const string Sqlite = "sqlite";

    public static string Room(DbContext db, long roomId) => IsSqlite(db) ? Sqlite : "room:" + roomId;

    /// <summary>Creating rooms: one lane, so that two creations of the same private pair see each other.</summary>
    public static string NewRooms(DbContext db) => IsSqlite(db) ? Sqlite : "new-rooms";

    public static string Media(DbContext db) => IsSqlite(db) ? Sqlite : "media";

    public static string Outbox(DbContext db) => IsSqlite(db) ? Sqlite : "outbox";

    private static bool IsSqlite(DbContext db) => db.Database.ProviderName?.Contains("Sqlite", StringComparison.Ordinal) == true;
}
