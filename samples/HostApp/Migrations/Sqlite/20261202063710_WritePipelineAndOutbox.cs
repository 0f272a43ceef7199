using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HostApp.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class WritePipelineAndOutbox : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<long>(
                name: "ReadNumber",
                table: "ChatRoomUsers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "ReadExclusions",
                table: "ChatRoomUsers",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "LastMessageNumber",
                table: "ChatRooms",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<long>(
                name: "LastSeq",
                table: "ChatRooms",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            migrationBuilder.AddColumn<DateTime>(
                name: "LatestLastSeenAt",
                table: "ChatRooms",
                type: "TEXT",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<long>(
                name: "Number",
                table: "ChatMessages",
                type: "INTEGER",
                nullable: false,
                defaultValue: 0L);

            // Number the existing messages and carry every member's unread count over to the new
            // columns (unread = LastMessageNumber - ReadNumber - ReadExclusions); the old ones go in the
            // next migration (SQLite rebuilds a table to drop a column, after this migration's SQL).
            migrationBuilder.Sql("""
                UPDATE "ChatMessages" AS m SET "Number" = n.rn
                FROM (SELECT "Id", ROW_NUMBER() OVER (PARTITION BY "RoomId" ORDER BY "Id") AS rn FROM "ChatMessages") AS n
                WHERE m."Id" = n."Id";
                """);
            migrationBuilder.Sql("""
                UPDATE "ChatRooms" SET
                    "LastMessageNumber" = COALESCE((SELECT MAX(m."Number") FROM "ChatMessages" AS m WHERE m."RoomId" = "ChatRooms"."Id"), 0),
                    "LatestLastSeenAt" = COALESCE((SELECT MAX(u."LastSeenAt") FROM "ChatRoomUsers" AS u WHERE u."RoomId" = "ChatRooms"."Id"), "CreatedAt");
                """);
            migrationBuilder.Sql("""
                UPDATE "ChatRoomUsers" SET "ReadNumber" = COALESCE((SELECT MAX(m."Number") FROM "ChatMessages" AS m
                    WHERE m."RoomId" = "ChatRoomUsers"."RoomId" AND m."CreatedAt" <= "ChatRoomUsers"."LastSeenAt"), 0);
                """);
            migrationBuilder.Sql("""
                UPDATE "ChatRoomUsers" SET "ReadExclusions" =
                    (SELECT r."LastMessageNumber" FROM "ChatRooms" AS r WHERE r."Id" = "ChatRoomUsers"."RoomId") - "ReadNumber" - "UnreadCount";
                """);

            migrationBuilder.CreateTable(
                name: "ChatRoomEvents",
                columns: table => new
                {
                    Id = table.Column<long>(type: "INTEGER", nullable: false)
                        .Annotation("Sqlite:Autoincrement", true),
                    RoomId = table.Column<long>(type: "INTEGER", nullable: false),
                    Seq = table.Column<long>(type: "INTEGER", nullable: false),
                    Type = table.Column<string>(type: "TEXT", maxLength: 40, nullable: false),
                    Payload = table.Column<string>(type: "TEXT", nullable: false),
                    ActorId = table.Column<string>(type: "TEXT", maxLength: 255, nullable: false),
                    UserIds = table.Column<string>(type: "TEXT", nullable: true),
                    RoomIsPublic = table.Column<bool>(type: "INTEGER", nullable: false),
                    FilesToDelete = table.Column<string>(type: "TEXT", nullable: true),
                    CreatedAt = table.Column<DateTime>(type: "TEXT", nullable: false),
                    PublishedAt = table.Column<DateTime>(type: "TEXT", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_ChatRoomEvents", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_ChatRoomUsers_UserId_RoomId",
                table: "ChatRoomUsers",
                columns: new[] { "UserId", "RoomId" });

            migrationBuilder.CreateIndex(
                name: "IX_ChatRoomEvents_PublishedAt",
                table: "ChatRoomEvents",
                column: "PublishedAt");

            migrationBuilder.CreateIndex(
                name: "IX_ChatRoomEvents_RoomId_Seq",
                table: "ChatRoomEvents",
                columns: new[] { "RoomId", "Seq" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "ChatRoomEvents");

            migrationBuilder.DropIndex(
                name: "IX_ChatRoomUsers_UserId_RoomId",
                table: "ChatRoomUsers");

            migrationBuilder.DropColumn(
                name: "ReadExclusions",
                table: "ChatRoomUsers");

            migrationBuilder.DropColumn(
                name: "LastMessageNumber",
                table: "ChatRooms");

            migrationBuilder.DropColumn(
                name: "LastSeq",
                table: "ChatRooms");

            migrationBuilder.DropColumn(
                name: "LatestLastSeenAt",
                table: "ChatRooms");

            migrationBuilder.DropColumn(
                name: "Number",
                table: "ChatMessages");

            migrationBuilder.DropColumn(
                name: "ReadNumber",
                table: "ChatRoomUsers");

        }
    }
}
