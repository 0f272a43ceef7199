using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace HostApp.Migrations.Sqlite
{
    /// <inheritdoc />
    public partial class MessageMediaAndReactionHints : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<bool>(
                name: "HasMedia",
                table: "ChatMessages",
                type: "INTEGER",
                nullable: true);

            migrationBuilder.AddColumn<int>(
                name: "ReactionCount",
                table: "ChatMessages",
                type: "INTEGER",
                nullable: true);

            // Optional for DfChat, which reads media and reactions for any message whose columns are null;
            // filled here so that pages of the existing history skip those reads too.
            migrationBuilder.Sql("""
                UPDATE "ChatMessages" SET
                    "HasMedia" = EXISTS (SELECT 1 FROM "ChatMessageMedia" AS l WHERE l."MessageId" = "ChatMessages"."Id"),
                    "ReactionCount" = (SELECT COUNT(*) FROM "ChatMessageReactions" AS r WHERE r."MessageId" = "ChatMessages"."Id")
                """);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "HasMedia",
                table: "ChatMessages");

            migrationBuilder.DropColumn(
                name: "ReactionCount",
                table: "ChatMessages");
        }
    }
}
