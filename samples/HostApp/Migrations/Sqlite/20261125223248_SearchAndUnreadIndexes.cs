using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HostApp.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class SearchAndUnreadIndexes : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "NormalizedName",
                table: "ChatRooms",
                type: "TEXT",
                maxLength: 255,
                nullable: true);

            // Rooms created before this migration: fold their names once, so that search finds them.
            // lower() folds only ASCII on SQLite; names renamed afterwards are folded in .NET.
            migrationBuilder.Sql("UPDATE \"ChatRooms\" SET \"NormalizedName\" = lower(\"Name\") WHERE \"Name\" IS NOT NULL;");

            migrationBuilder.CreateIndex(
                name: "IX_ChatMessages_RoomId_CreatedAt",
                table: "ChatMessages",
                columns: new[] { "RoomId", "CreatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_ChatMessages_RoomId_CreatedAt",
                table: "ChatMessages");

            migrationBuilder.DropColumn(
                name: "NormalizedName",
                table: "ChatRooms");
        }
    }
}
