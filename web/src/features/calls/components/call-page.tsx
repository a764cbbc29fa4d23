export function CallPage() { return <p>CallPage</p>; }
