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

            migrationBuilder.DropColumn(
                name: "RoomLastActivityAt",
                table: "ChatRoomUsers");

            migrationBuilder.DropColumn(
                name: "UnreadCount",
                table: "ChatRoomUsers");
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
