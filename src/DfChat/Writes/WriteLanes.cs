using Microsoft.EntityFrameworkCore;

namespace DfChat.Writes;

/// <summary>
/// Which writes queue behind each other. On PostgreSQL, each room is a lane of its own (rooms never wait
/// for each other; a busy room batches). SQLite allows one writer per database, so all its writes share
/// one lane, and a batch may span rooms. A host's write partition (<see cref="IChatWritePartition"/>, the
/// tenant) splits every lane, so that one batch never holds the writes of two partitions.
/// </summary>
internal static class WriteLanes
{
    private const string Sqlite = "sqlite";
    private const char PartitionSeparator = '\u001f';

    public static string Room(DbContext db, long roomId) => IsSqlite(db) ? Sqlite : "room:" + roomId;

    /// <summary>Creating rooms: one lane, so that two creations of the same private pair see each other.</summary>
    public static string NewRooms(DbContext db) => IsSqlite(db) ? Sqlite : "new-rooms";

    public static string Media(DbContext db) => IsSqlite(db) ? Sqlite : "media";

    public static string Outbox(DbContext db) => IsSqlite(db) ? Sqlite : "outbox";

    /// <summary><paramref name="lane"/> of the partition <paramref name="partition"/>; the lane itself for the default partition (null).</summary>
    public static string InPartition(string lane, string? partition) =>
        partition is null ? lane : string.Concat(lane, PartitionSeparator.ToString(), partition);

    /// <summary>A partition's lane of a SQLite database, whose batches take the database's one writer in turn with the other partitions'.</summary>
    public static bool IsSingleWriterPartition(string lane) =>
        lane.StartsWith(Sqlite + PartitionSeparator, StringComparison.Ordinal);

    private static bool IsSqlite(DbContext db) => db.Database.ProviderName?.Contains("Sqlite", StringComparison.Ordinal) == true;
}
