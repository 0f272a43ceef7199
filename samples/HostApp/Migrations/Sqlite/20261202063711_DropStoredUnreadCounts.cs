using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HostApp.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class DropStoredUnreadCounts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ChatRoomUsers_UserId_RoomLastActivityAt_RoomId",
                table: "ChatRoomUsers");

            // SQLite (3.35 and later) drops these columns itself, in the migration's transaction: no index,
            // key or constraint uses them once the index above is gone. EF Core's DropColumn would rebuild the
            // table instead, whose "PRAGMA foreign_keys = 0" cannot run in a transaction (warning 20410 on a
            // new database's first start, and a half-applied migration should the process stop meanwhile).
            migrationBuilder.Sql("""ALTER TABLE "ChatRoomUsers" DROP COLUMN "RoomLastActivityAt";""");
            migrationBuilder.Sql("""ALTER TABLE "ChatRoomUsers" DROP COLUMN "UnreadCount";""");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<int>(
                name: "UnreadCount",
                table: "ChatRoomUsers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.AddColumn<DateTime>(
                name: "RoomLastActivityAt",
                table: "ChatRoomUsers",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.CreateIndex(
                name: "IX_ChatRoomUsers_UserId_RoomLastActivityAt_RoomId",
                table: "ChatRoomUsers",
                columns: new[] { "UserId", "RoomLastActivityAt", "RoomId" });
        }
    }
}
