"""The Account Settings screen: its header, profile section and the avatar's menu."""
