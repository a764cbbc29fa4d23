export function CallListPage() { return <p>CallListPage</p>; }
