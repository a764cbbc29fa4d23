export function AccountListPage() { return <p>AccountListPage</p>; }
