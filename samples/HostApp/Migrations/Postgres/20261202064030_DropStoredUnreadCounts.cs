using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HostApp.Migrations.Postgres
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
            migrationBuilder.AddColumn<DateTime>(
                name: "RoomLastActivityAt",
                table: "ChatRoomUsers",
                type: "timestamp with time zone",
                nullable: false,
                defaultValue: new DateTime(1, 1, 1, 0, 0, 0, 0, DateTimeKind.Unspecified));

            migrationBuilder.AddColumn<int>(
                name: "UnreadCount",
                table: "ChatRoomUsers",
                type: "integer",
                nullable: false,
                defaultValue: 0);

            migrationBuilder.CreateIndex(
                name: "IX_ChatRoomUsers_UserId_RoomLastActivityAt_RoomId",
                table: "ChatRoomUsers",
                columns: new[] { "UserId", "RoomLastActivityAt", "RoomId" });
        }
    }
}
